using MathNet.Numerics.Distributions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Batches;

/// <summary>Mean, standard deviation and the 95% Student-t half-width of one KPI over replications.</summary>
public readonly record struct KpiSpread(double Mean, double StandardDeviation, double HalfWidth, int N);

/// <summary>A headline KPI of the scenario at <see cref="Position"/> as the precision rule judges it.</summary>
public sealed record HeadlineSpread(int Position, string Kpi, KpiSpread Spread);

/// <summary>
/// The `--precision P` stopping rule, applied by the batch grain between rounds: a batch is precise enough when, for
/// every scenario and every headline KPI (<see cref="RunKpis.IsHeadline"/>) of an entity with material traffic
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
    /// Trucks a gate or corridor must carry in the statistics window, on average, for its headline KPI to be judged.
    /// A count of mean m varies by about 1/sqrt(m) between replications, so below this a relative precision costs
    /// hundreds of replications or is never reached (a gate with 0.6 trucks a year held every batch to its maximum);
    /// at 100 it is about 10% a replication, and 5% needs some 15 replications.
    /// </summary>
    public const double MaterialTrucks = 100;

    /// <summary>
    /// The headline KPIs the rule judges, over the replications finished in every scenario (the ones a comparison
    /// uses), read from the store a page at a time and summed in replication order.
    /// </summary>
    public static IReadOnlyList<HeadlineSpread> Judged(IResultStore store, long batchId, int scenarios, int plannedReplications) =>
        Judged(ReplicationPages.Complete(store, batchId, scenarios, plannedReplications, withQueues: false), scenarios);

    /// <summary>
    /// The headline KPIs of every scenario (<see cref="RunKpis.IsHeadline"/>) over the given replications, each
    /// finished in every scenario, summed in their order, except those of a gate or corridor whose trucks average
    /// under <see cref="MaterialTrucks"/>; totals are always judged.
    /// </summary>
    public static IReadOnlyList<HeadlineSpread> Judged(IEnumerable<CompleteReplication> complete, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(complete);
        string[][]? tracked = null;
        RunningMoments[][]? moments = null;
        foreach (var replication in complete)
        {
            // The headline KPIs each scenario's first complete replication lists, with the truck counts that say
            // whether their gate or corridor carries material traffic.
            tracked ??= [.. replication.RunsByPosition.Select(r => r.Kpis.Keys.Where(k => RunKpis.IsHeadline(k) || TrafficOf(k) == k).Order(StringComparer.Ordinal).ToArray())];
            moments ??= [.. tracked.Select(names => new RunningMoments[names.Length])];
            for (var s = 0; s < scenarios; s++)
            {
                var kpis = replication.RunsByPosition[s].Kpis;
                for (var k = 0; k < tracked[s].Length; k++)
                {
                    moments[s][k].Add(kpis[tracked[s][k]]);
                }
            }
        }

        var judged = new List<HeadlineSpread>();
        for (var s = 0; tracked is not null && s < scenarios; s++)
        {
            var index = tracked[s].Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);
            for (var k = 0; k < tracked[s].Length; k++)
            {
                var name = tracked[s][k];
                if (!RunKpis.IsHeadline(name))
                {
                    continue;
                }

                if (TrafficOf(name) is { } traffic && index.TryGetValue(traffic, out var t) && !(moments![s][t].Mean >= MaterialTrucks))
                {
                    continue;
                }

                judged.Add(new HeadlineSpread(s, name, Spread(moments![s][k])));
            }
        }

        return judged;
    }

    /// <summary>The spreads of <see cref="Judged(IEnumerable{CompleteReplication}, int)"/>, in its order.</summary>
    public static IReadOnlyList<KpiSpread> HeadlineSpreads(IEnumerable<CompleteReplication> complete, int scenarios) =>
        [.. Judged(complete, scenarios).Select(j => j.Spread)];

    /// <summary>The KPI counting a gate's or corridor's trucks ("gate.g.trucks" for "gate.g.anything"); null for totals, flows and routes.</summary>
    public static string? TrafficOf(string kpi)
    {
        if (!kpi.StartsWith("gate.", StringComparison.Ordinal) && !kpi.StartsWith("corridor.", StringComparison.Ordinal))
        {
            return null;
        }

        var last = kpi.LastIndexOf('.');
        return kpi[..last] + ".trucks";
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
