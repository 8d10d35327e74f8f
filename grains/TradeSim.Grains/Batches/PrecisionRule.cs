using MathNet.Numerics.Distributions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Batches;

/// <summary>Mean, standard deviation and the 95% Student-t half-width of one KPI over replications.</summary>
public readonly record struct KpiSpread(double Mean, double StandardDeviation, double HalfWidth, int N);

/// <summary>
/// The `--precision P` stopping rule, applied by the batch grain between rounds: a batch is precise enough when, for
/// every scenario and every headline KPI (<see cref="RunKpis.IsHeadline"/>), the 95% half-width is at most P x |mean|.
/// Replications are added in rounds whose size depends only on the results so far (never on timing, workers or silos),
/// so the stopping point is reproducible.
/// </summary>
public static class PrecisionRule
{
    /// <summary>Replications of the first round (and the fewest a precision batch reports).</summary>
    public const int FirstRound = 5;

    /// <summary>The two-sided Student-t quantile for <paramref name="degreesOfFreedom"/> (2.262 for 9 at 95%).</summary>
    public static double StudentQuantile(double degreesOfFreedom, double confidence = 0.95) =>
        StudentT.InvCDF(0, 1, degreesOfFreedom, 1 - ((1 - confidence) / 2));

    /// <summary>Whether one KPI's replicated values meet the precision.</summary>
    public static bool IsMet(double mean, double halfWidth, int n, double precision) =>
        n >= 2 && halfWidth <= precision * Math.Abs(mean);

    public static bool IsMet(KpiSpread spread, double precision) => IsMet(spread.Mean, spread.HalfWidth, spread.N, precision);

    /// <summary>Whether every given KPI meets the precision.</summary>
    public static bool IsMet(IEnumerable<KpiSpread> spreads, double precision)
    {
        ArgumentNullException.ThrowIfNull(spreads);
        return spreads.All(s => IsMet(s, precision));
    }

    /// <summary>
    /// The headline KPIs of every scenario over the replications finished in every scenario (the ones a comparison
    /// uses), from a batch's stored runs.
    /// </summary>
    public static IReadOnlyList<KpiSpread> HeadlineSpreads(IReadOnlyList<StoredRun> runs, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var complete = runs.GroupBy(r => r.Replication)
            .Where(g => g.Select(r => r.Position).Distinct().Count() == scenarios)
            .Select(g => g.Key)
            .ToHashSet();
        var spreads = new List<KpiSpread>();
        for (var s = 0; s < scenarios; s++)
        {
            var ofScenario = runs.Where(r => r.Position == s && complete.Contains(r.Replication)).OrderBy(r => r.Replication).ToList();
            if (ofScenario.Count == 0)
            {
                continue;
            }

            foreach (var kpi in ofScenario[0].Kpis.Keys.Where(RunKpis.IsHeadline).Order(StringComparer.Ordinal))
            {
                spreads.Add(Spread(ofScenario.Select(r => r.Kpis[kpi]).ToArray()));
            }
        }

        return spreads;
    }

    /// <summary>Mean, sample standard deviation and 95% half-width of replicated values.</summary>
    public static KpiSpread Spread(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        if (n == 0)
        {
            return new KpiSpread(double.NaN, double.NaN, double.NaN, 0);
        }

        var mean = MathNet.Numerics.Statistics.Statistics.Mean(values);
        if (n == 1)
        {
            return new KpiSpread(mean, 0, 0, 1);
        }

        var sd = MathNet.Numerics.Statistics.Statistics.StandardDeviation(values);
        return new KpiSpread(mean, sd, StudentQuantile(n - 1) * sd / Math.Sqrt(n), n);
    }

    /// <summary>
    /// The replications to plan next: enough, by the current estimate of each KPI's standard deviation, for the
    /// half-width to reach the precision; at least one more and at most double the current count, within the maximum.
    /// </summary>
    public static int NextTarget(IEnumerable<KpiSpread> headline, double precision, int current, int maximum)
    {
        ArgumentNullException.ThrowIfNull(headline);
        var needed = current + 1;
        foreach (var s in headline)
        {
            if (IsMet(s, precision) || s.N < 2)
            {
                continue;
            }

            var target = precision * Math.Abs(s.Mean);
            var estimate = target == 0
                ? int.MaxValue
                : Math.Ceiling(Math.Pow(StudentQuantile(s.N - 1) * s.StandardDeviation / target, 2));
            needed = (int)Math.Min(Math.Max(needed, estimate), int.MaxValue);
        }

        return Math.Min(maximum, Math.Min(needed, 2 * current));
    }
}
