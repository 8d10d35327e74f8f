using TradeSim.Client.Sensitivity;

namespace TradeSim.Client.Tests;

/// <summary>The Morris trajectory design: one input changed at a time by ±Δ, every input exactly once, reproducible from its seed.</summary>
public sealed class MorrisDesignTests
{
    [Theory]
    [InlineData(1, 3, 2, 1UL)]
    [InlineData(5, 10, 4, 1UL)]
    [InlineData(12, 7, 6, 42UL)]
    [InlineData(40, 20, 8, 7UL)]
    public void Create_EachTrajectoryChangesOneInputAtATimeByDelta_EveryInputExactlyOnce(int inputs, int trajectories, int levels, ulong seed)
    {
        var design = MorrisDesign.Create(inputs, trajectories, levels, seed);

        Assert.Equal(trajectories, design.Trajectories.Count);
        Assert.Equal(trajectories * (inputs + 1), design.Points);
        Assert.Equal(levels / 2, design.Jump);
        Assert.Equal(levels / (2.0 * (levels - 1)), design.Delta, 12);
        foreach (var t in design.Trajectories)
        {
            Assert.Equal(inputs + 1, t.Levels.Count);
            Assert.Equal(Enumerable.Range(0, inputs), t.Changed.Order());
            Assert.All(t.Levels, point => Assert.All(point, level => Assert.InRange(level, 0, levels - 1)));
            for (var m = 1; m <= inputs; m++)
            {
                var changed = Enumerable.Range(0, inputs).Where(j => t.Levels[m][j] != t.Levels[m - 1][j]).ToList();
                Assert.Equal([t.Changed[m - 1]], changed);
                Assert.Equal(design.Jump, Math.Abs(t.Levels[m][changed[0]] - t.Levels[m - 1][changed[0]]));
            }
        }
    }

    [Fact]
    public void Create_SameSeed_SameDesign_OtherSeed_OtherDesign()
    {
        static string Text(MorrisDesign d) => string.Join(';', d.Trajectories.Select(t => string.Join('|', t.Levels.Select(p => string.Join(',', p)))));

        Assert.Equal(Text(MorrisDesign.Create(6, 10, 4, 3)), Text(MorrisDesign.Create(6, 10, 4, 3)));
        Assert.NotEqual(Text(MorrisDesign.Create(6, 10, 4, 3)), Text(MorrisDesign.Create(6, 10, 4, 4)));
    }

    [Fact]
    public void Create_VisitsBothDirectionsAndEveryLevel()
    {
        // 200 trajectories of 3 inputs: a fair design goes up and down and starts from every level (seed 1, deterministic).
        var design = MorrisDesign.Create(3, 200, 4, 1);

        var steps = design.Trajectories.SelectMany(t => Enumerable.Range(1, 3).Select(m => t.Levels[m][t.Changed[m - 1]] - t.Levels[m - 1][t.Changed[m - 1]])).ToList();
        Assert.Contains(2, steps);
        Assert.Contains(-2, steps);
        Assert.Equal([0, 1, 2, 3], design.Trajectories.SelectMany(t => t.Levels[0]).Distinct().Order());
    }

    [Fact]
    public void Create_OddLevels_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MorrisDesign.Create(3, 2, 5, 1));
    }
}
