namespace TradeSim.Grains.Batches;

/// <summary>
/// The mean and spread of values seen one at a time (Welford's running mean and sum of squared deviations), so a
/// KPI over a hundred thousand replications costs three numbers, not a hundred thousand. Add values in a fixed order
/// (replication order) for results identical to the last bit on any thread count or cluster.
/// </summary>
public struct RunningMoments
{
    private double _mean;
    private double _squaredDeviations;

    public int N { get; private set; }

    /// <summary>The mean; NaN when no value was added.</summary>
    public readonly double Mean => N == 0 ? double.NaN : _mean;

    /// <summary>The sample standard deviation; 0 for one value, NaN for none.</summary>
    public readonly double StandardDeviation => N switch
    {
        0 => double.NaN,
        1 => 0,
        _ => Math.Sqrt(_squaredDeviations / (N - 1)),
    };

    public void Add(double value)
    {
        N++;
        var delta = value - _mean;
        _mean += delta / N;
        _squaredDeviations += delta * (value - _mean);
    }

    public static RunningMoments Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var moments = default(RunningMoments);
        foreach (var value in values)
        {
            moments.Add(value);
        }

        return moments;
    }
}
