using TradeSim.Client.Statistics;
using TradeSim.Silo.Results;

namespace TradeSim.Client.Batches;

/// <summary>
/// The `--precision P` stopping rule: a batch is precise enough when, for every scenario and every headline KPI
/// (<see cref="RunKpis.IsHeadline"/>), the 95% half-width is at most P x |mean|. Replications are added in rounds
/// whose size depends only on the results so far (never on timing or workers), so the stopping point is reproducible.
/// </summary>
internal static class PrecisionRule
{
    /// <summary>Replications of the first round (and the fewest a precision batch reports).</summary>
    public const int FirstRound = 5;

    /// <summary>Whether one KPI's replicated values meet the precision.</summary>
    public static bool IsMet(Summary summary, double precision) =>
        summary.N >= 2 && summary.HalfWidth <= precision * Math.Abs(summary.Mean);

    public static bool IsMet(IEnumerable<ScenarioOutcome> outcomes, double precision)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return outcomes.All(o => o.Kpis.Where(k => RunKpis.IsHeadline(k.Kpi)).All(k => IsMet(k.Stats, precision)));
    }

    /// <summary>
    /// The replications to plan next: enough, by the current estimate of each KPI's standard deviation, for the
    /// half-width to reach the precision; at least one more and at most double the current count, within the maximum.
    /// </summary>
    public static int NextTarget(IEnumerable<Summary> headline, double precision, int current, int maximum)
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
                : Math.Ceiling(Math.Pow(Summary.StudentQuantile(s.N - 1) * s.StandardDeviation / target, 2));
            needed = (int)Math.Min(Math.Max(needed, estimate), int.MaxValue);
        }

        return Math.Min(maximum, Math.Min(needed, 2 * current));
    }
}
