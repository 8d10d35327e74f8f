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
    /// uses), read from the store a page at a time and summed in replication order.
    /// </summary>
    public static IReadOnlyList<KpiSpread> HeadlineSpreads(IResultStore store, long batchId, int scenarios, int plannedReplications) =>
        HeadlineSpreads(ReplicationPages.Complete(store, batchId, scenarios, plannedReplications, withQueues: false), scenarios);

    /// <summary>The headline KPIs of every scenario over the given replications (each finished in every scenario), summed in their order.</summary>
    public static IReadOnlyList<KpiSpread> HeadlineSpreads(IEnumerable<CompleteReplication> complete, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(complete);
        string[][]? headline = null;
        RunningMoments[][]? moments = null;
        foreach (var replication in complete)
        {
            // The headline KPIs each scenario's first complete replication lists.
            headline ??= [.. replication.RunsByPosition.Select(r => r.Kpis.Keys.Where(RunKpis.IsHeadline).Order(StringComparer.Ordinal).ToArray())];
            moments ??= [.. headline.Select(names => new RunningMoments[names.Length])];
            for (var s = 0; s < scenarios; s++)
            {
                var kpis = replication.RunsByPosition[s].Kpis;
                for (var k = 0; k < headline[s].Length; k++)
                {
                    moments[s][k].Add(kpis[headline[s][k]]);
                }
            }
        }

        return moments is null ? [] : [.. moments.SelectMany(m => m).Select(Spread)];
    }

    /// <summary>Mean, sample standard deviation and 95% half-width of values summed as they came.</summary>
    public static KpiSpread Spread(RunningMoments moments) => moments.N switch
    {
        0 => new KpiSpread(double.NaN, double.NaN, double.NaN, 0),
        1 => new KpiSpread(moments.Mean, 0, 0, 1),
        _ => new KpiSpread(moments.Mean, moments.StandardDeviation, StudentQuantile(moments.N - 1) * moments.StandardDeviation / Math.Sqrt(moments.N), moments.N),
    };

    /// <summary>Mean, sample standard deviation and 95% half-width of replicated values, summed in their order.</summary>
    public static KpiSpread Spread(IReadOnlyList<double> values) => Spread(RunningMoments.Of(values));

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
