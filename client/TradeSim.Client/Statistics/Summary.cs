using TradeSim.Grains.Batches;

namespace TradeSim.Client.Statistics;

/// <summary>Mean, standard deviation and a Student-t confidence interval of replicated values.</summary>
internal readonly record struct Summary(double Mean, double StandardDeviation, double CiLow, double CiHigh, int N)
{
    public double HalfWidth => (CiHigh - CiLow) / 2;

    public static Summary Of(IReadOnlyList<double> values, double confidence = 0.95) => From(RunningMoments.Of(values), confidence);

    /// <summary>The summary of values summed as they came (replication order).</summary>
    public static Summary From(RunningMoments moments, double confidence = 0.95)
    {
        var n = moments.N;
        if (n == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        var mean = moments.Mean;
        if (n == 1)
        {
            return new Summary(mean, 0, mean, mean, 1);
        }

        var sd = moments.StandardDeviation;
        var half = StudentQuantile(n - 1, confidence) * sd / Math.Sqrt(n);
        return new Summary(mean, sd, mean - half, mean + half, n);
    }

    /// <summary>The two-sided Student-t quantile for <paramref name="degreesOfFreedom"/> (2.262 for 9 at 95%).</summary>
    public static double StudentQuantile(double degreesOfFreedom, double confidence = 0.95) =>
        TradeSim.Grains.Batches.PrecisionRule.StudentQuantile(degreesOfFreedom, confidence);
}

/// <summary>
/// A scenario against the baseline. Paired: the differences of replications with the same index (the same random
/// streams), so noise common to both cancels. Percent is the mean difference over the baseline's mean on the same
/// replications (NaN when that mean is 0).
/// </summary>
internal readonly record struct Difference(double MeanDifference, double CiLow, double CiHigh, double Percent, int N)
{
    public double HalfWidth => (CiHigh - CiLow) / 2;

    /// <summary>The interval lies wholly on one side of zero.</summary>
    public bool IsSignificant => N > 1 && (CiLow > 0 || CiHigh < 0);

    public static Difference Paired(IReadOnlyList<double> scenario, IReadOnlyList<double> baseline, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(baseline);
        if (scenario.Count != baseline.Count)
        {
            throw new ArgumentException("paired samples must have the same length", nameof(scenario));
        }

        return Paired(RunningMoments.Of(scenario.Select((v, i) => v - baseline[i])), RunningMoments.Of(baseline), confidence);
    }

    /// <summary>The paired interval from the differences (scenario minus baseline, replication by replication) and the baseline's values, summed as they came.</summary>
    public static Difference Paired(RunningMoments differences, RunningMoments baseline, double confidence = 0.95)
    {
        var d = Summary.From(differences, confidence);
        return new Difference(d.Mean, d.CiLow, d.CiHigh, PercentOf(d.Mean, baseline), d.N);
    }

    /// <summary>
    /// The unpaired (Welch) interval of the same difference, as if the scenarios had independent random streams:
    /// reported to show what common random numbers buy.
    /// </summary>
    public static Difference Welch(IReadOnlyList<double> scenario, IReadOnlyList<double> baseline, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(baseline);
        return Welch(RunningMoments.Of(scenario), RunningMoments.Of(baseline), confidence);
    }

    /// <inheritdoc cref="Welch(IReadOnlyList{double}, IReadOnlyList{double}, double)"/>
    public static Difference Welch(RunningMoments scenario, RunningMoments baseline, double confidence = 0.95)
    {
        var a = Summary.From(scenario, confidence);
        var b = Summary.From(baseline, confidence);
        var mean = a.Mean - b.Mean;
        if (a.N < 2 || b.N < 2)
        {
            return new Difference(mean, mean, mean, PercentOf(mean, baseline), Math.Min(a.N, b.N));
        }

        var va = a.StandardDeviation * a.StandardDeviation / a.N;
        var vb = b.StandardDeviation * b.StandardDeviation / b.N;
        var se = Math.Sqrt(va + vb);
        var df = se == 0 ? a.N + b.N - 2 : (va + vb) * (va + vb) / ((va * va / (a.N - 1)) + (vb * vb / (b.N - 1)));
        var half = Summary.StudentQuantile(df, confidence) * se;
        return new Difference(mean, mean - half, mean + half, PercentOf(mean, baseline), Math.Min(a.N, b.N));
    }

    private static double PercentOf(double difference, RunningMoments baseline)
    {
        var mean = baseline.N == 0 ? 0 : baseline.Mean;
        return mean == 0 ? double.NaN : difference / mean * 100;
    }
}
