using MathNet.Numerics.Distributions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;

namespace TradeSim.Grains.Batches;

/// <summary>Mean, standard deviation and the 95% Student-t half-width of one KPI over replications.</summary>
public readonly record struct KpiSpread(double Mean, double StandardDeviation, double HalfWidth, int N);

/// <summary>A headline KPI of the scenario at <see cref="Position"/> as the precision rule judges it.</summary>
public sealed record HeadlineSpread(int Position, string Kpi, KpiSpread Spread);

/// <summary>
/// The `--precision P` stopping rule, applied by the batch grain between rounds: a batch is precise enough when, for
/// every scenario and every headline KPI (<see cref="KpiCatalogue.IsHeadline"/>) of an entity with material traffic
/// (<see cref="MaterialTrucks"/>), the 95% half-width is at most P x |mean|.
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

    /// <summary>
    /// Whether one KPI's replicated values meet the precision: at least two of them, and a 95% half-width within
    /// <paramref name="precision"/> x |mean| or, when an absolute tolerance is given, within that.
    /// </summary>
    public static bool IsMet(double mean, double halfWidth, int n, double precision, double absolute = 0) =>
        n >= 2 && (halfWidth <= precision * Math.Abs(mean) || halfWidth <= absolute);

    public static bool IsMet(KpiSpread spread, double precision, double absolute = 0) => IsMet(spread.Mean, spread.HalfWidth, spread.N, precision, absolute);

    /// <summary>Whether every given KPI meets the precision.</summary>
    public static bool IsMet(IEnumerable<KpiSpread> spreads, double precision, double absolute = 0)
    {
        ArgumentNullException.ThrowIfNull(spreads);
        return spreads.All(s => IsMet(s, precision, absolute));
    }

    /// <summary>
    /// Trucks a gate or corridor must carry in the statistics window, on average, for its headline KPI to be judged.
    /// A count of mean m varies by about 1/sqrt(m) between replications, so below this a relative precision costs
    /// hundreds of replications or is never reached (a gate with 0.6 trucks a year held every batch to its maximum);
    /// at 100 it is about 10% a replication, and 5% needs some 15 replications.
    /// </summary>
    public const double MaterialTrucks = 100;

    /// <summary>
    /// The KPIs the rule judges (<paramref name="patterns"/>, by default the headline ones), over the replications
    /// finished in every scenario (the ones a comparison uses), read from the store a page at a time and summed in
    /// replication order.
    /// </summary>
    public static IReadOnlyList<HeadlineSpread> Judged(IResultStore store, long batchId, int scenarios, int plannedReplications, IReadOnlyList<string>? patterns = null) =>
        Judged(ReplicationPages.Complete(store, batchId, scenarios, plannedReplications, withQueues: false), scenarios, patterns);

    /// <summary>
    /// The KPIs of every scenario that <paramref name="patterns"/> choose (<see cref="KpiPattern"/>; none given: the
    /// headline KPIs, <see cref="KpiCatalogue.IsHeadline"/>) over the given replications, each finished in every
    /// scenario, summed in their order, sorted by name. Left out: a KPI of a gate, post or corridor whose trucks
    /// average under <see cref="MaterialTrucks"/> (unless a pattern names the KPI exactly), and a KPI no replication
    /// had data for. A KPI some replications had no data for is judged on those that had.
    /// </summary>
    public static IReadOnlyList<HeadlineSpread> Judged(IEnumerable<CompleteReplication> complete, int scenarios, IReadOnlyList<string>? patterns = null)
    {
        ArgumentNullException.ThrowIfNull(complete);
        var selection = new KpiPattern(patterns ?? []);
        var tracked = Enumerable.Range(0, scenarios).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var moments = Enumerable.Range(0, scenarios).Select(_ => new List<RunningMoments>()).ToArray();
        foreach (var replication in complete)
        {
            for (var s = 0; s < scenarios; s++)
            {
                // The chosen KPIs, and the truck counts that say whether their entity carries material traffic.
                foreach (var (name, value) in replication.RunsByPosition[s].Kpis)
                {
                    if (!tracked[s].TryGetValue(name, out var k))
                    {
                        if (!selection.Selects(name) && !IsTrafficKpi(name))
                        {
                            continue;
                        }

                        tracked[s][name] = k = moments[s].Count;
                        moments[s].Add(default);
                    }

                    var m = moments[s][k];
                    m.Add(value);
                    moments[s][k] = m;
                }
            }
        }

        var judged = new List<HeadlineSpread>();
        for (var s = 0; s < scenarios; s++)
        {
            foreach (var name in tracked[s].Keys.Order(StringComparer.Ordinal))
            {
                var m = moments[s][tracked[s][name]];
                if (!selection.Selects(name) || m.N == 0)
                {
                    continue;
                }

                if (!selection.NamesExactly(name)
                    && KpiCatalogue.TrafficKpiOf(name) is { } traffic
                    && tracked[s].TryGetValue(traffic, out var t)
                    && !(moments[s][t].Mean >= MaterialTrucks))
                {
                    continue;
                }

                judged.Add(new HeadlineSpread(s, name, Spread(m)));
            }
        }

        return judged;
    }

    /// <summary>The spreads of <see cref="Judged(IEnumerable{CompleteReplication}, int, IReadOnlyList{string})"/>, in its order.</summary>
    public static IReadOnlyList<KpiSpread> HeadlineSpreads(IEnumerable<CompleteReplication> complete, int scenarios, IReadOnlyList<string>? patterns = null) =>
        [.. Judged(complete, scenarios, patterns).Select(j => j.Spread)];

    private static bool IsTrafficKpi(string kpi) => KpiCatalogue.TrafficKpiOf(kpi) == kpi;

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
    public static int NextTarget(IEnumerable<KpiSpread> headline, double precision, int current, int maximum, double absolute = 0)
    {
        ArgumentNullException.ThrowIfNull(headline);
        var needed = current + 1;
        foreach (var s in headline)
        {
            if (IsMet(s, precision, absolute) || s.N < 2)
            {
                continue;
            }

            var target = Math.Max(precision * Math.Abs(s.Mean), absolute);
            var estimate = target == 0
                ? int.MaxValue
                : Math.Ceiling(Math.Pow(StudentQuantile(s.N - 1) * s.StandardDeviation / target, 2));
            needed = (int)Math.Min(Math.Max(needed, estimate), int.MaxValue);
        }

        return Math.Min(maximum, Math.Min(needed, 2 * current));
    }
}
