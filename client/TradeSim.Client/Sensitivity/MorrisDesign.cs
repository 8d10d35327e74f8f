using TradeSim.Kernel.Randomness;

namespace TradeSim.Client.Sensitivity;

/// <summary>
/// One Morris trajectory on the p-level grid of the unit cube: <see cref="Levels"/>[m] are the grid levels (0 to p-1)
/// of every input at point m (k + 1 points), and point m differs from point m - 1 in input <see cref="Changed"/>[m - 1]
/// alone, by <see cref="MorrisDesign.Jump"/> levels up or down.
/// </summary>
internal sealed record MorrisTrajectory(IReadOnlyList<int[]> Levels, IReadOnlyList<int> Changed);

/// <summary>
/// Morris's elementary-effects design (Morris 1991, Technometrics 33(2)), in its trajectory form: r trajectories of
/// k + 1 points each, every input changed exactly once per trajectory by Δ = p / (2(p - 1)) of its range, in a random
/// order and direction from a random base point. p is even, so Δ is p/2 grid steps and every level is equally likely
/// to be visited. The draws come from one seeded stream, so the same seed gives the same design.
/// </summary>
internal sealed record MorrisDesign(int Inputs, int GridLevels, IReadOnlyList<MorrisTrajectory> Trajectories)
{
    /// <summary>Grid levels a change moves an input: p/2, which is Δ = p / (2(p - 1)) of the range.</summary>
    public int Jump => GridLevels / 2;

    /// <summary>Δ as a fraction of the range.</summary>
    public double Delta => (double)Jump / (GridLevels - 1);

    /// <summary>Design points: r (k + 1).</summary>
    public int Points => Trajectories.Count * (Inputs + 1);

    /// <summary>The position of a level on the unit interval.</summary>
    public double Fraction(int level) => (double)level / (GridLevels - 1);

    public static MorrisDesign Create(int inputs, int trajectories, int gridLevels, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(trajectories, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridLevels, 2);
        if (gridLevels % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gridLevels), gridLevels, "Morris's design needs an even number of levels");
        }

        var random = RandomStream.For(seed, 0, "sensitivity", "morris-design");
        var jump = gridLevels / 2;
        var result = new List<MorrisTrajectory>(trajectories);
        for (var t = 0; t < trajectories; t++)
        {
            // Base point x* on the lower levels 0 .. p/2 - 1 (so x* + Δ stays in the cube), a direction per input
            // (D*: a down-going input starts at x* + Δ), and the order the inputs change in (P*).
            var point = new int[inputs];
            var step = new int[inputs];
            for (var j = 0; j < inputs; j++)
            {
                var low = Draw(random, jump);
                var up = Draw(random, 2) == 0;
                point[j] = up ? low : low + jump;
                step[j] = up ? jump : -jump;
            }

            var order = Enumerable.Range(0, inputs).ToArray();
            for (var i = inputs - 1; i > 0; i--)
            {
                var swap = Draw(random, i + 1);
                (order[i], order[swap]) = (order[swap], order[i]);
            }

            var levels = new List<int[]>(inputs + 1) { (int[])point.Clone() };
            foreach (var j in order)
            {
                point[j] += step[j];
                levels.Add((int[])point.Clone());
            }

            result.Add(new MorrisTrajectory(levels, order));
        }

        return new MorrisDesign(inputs, gridLevels, result);
    }

    /// <summary>A uniform whole number from 0 to <paramref name="count"/> - 1.</summary>
    private static int Draw(RandomStream random, int count) => (int)Math.Min(count - 1, Math.Floor(random.NextDouble() * count));
}
