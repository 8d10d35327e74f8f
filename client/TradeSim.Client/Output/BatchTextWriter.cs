using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>
/// The batch comparison as text tables: the baseline's headline KPIs, then per scenario the KPIs that changed, with
/// the paired difference, its 95% interval and the percent change; `*` marks an interval that excludes zero.
/// Headline KPIs are always listed; other gate, corridor and total KPIs only when their change is significant.
/// </summary>
internal static class BatchTextWriter
{
    public static void Write(TextWriter o, BatchComparison c)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(c);
        var spec = c.Batch.Spec;
        o.WriteLine(c.SourceBatches.Count > 1
            ? $"Scenarios of batches {string.Join(", ", c.SourceBatches)} ({c.Batch.Status}): {Count(spec.Scenarios.Count, "scenario")} x {Count(c.Replications, "replication")} (those finished in every scenario), seed {spec.Seed}, engine {c.Batch.EngineVersion}"
            : $"Batch {c.Batch.Id} ({c.Batch.Status}): {Count(spec.Scenarios.Count, "scenario")} x {Count(c.Replications, "replication")}, seed {spec.Seed}, engine {c.Batch.EngineVersion}");
        if (spec.Policy.Precision is { } precision)
        {
            var absolute = spec.Policy.AbsoluteTolerance;
            var percent = (precision * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
            var goal = absolute > 0 ? $"{percent} of its mean or {Number(absolute)} in its unit" : $"{percent} of its mean";
            o.WriteLine(c.PrecisionReached
                ? $"Precision reached: the 95% half-width of each of the {Count(c.JudgedKpis, "KPI")} judged is within {goal}."
                : $"Precision NOT reached within {spec.Policy.MaxReplications} replications (95% half-width within {goal}): widen --max-replications, relax --precision, or choose KPIs with --precision-kpi. Still too wide:");
            foreach (var u in c.Unconverged)
            {
                o.WriteLine($"  {spec.Scenarios[u.Position].Name} {u.Kpi}: mean {Number(u.Spread.Mean)}, half-width {Number(u.Spread.HalfWidth)} ({Number(u.Spread.HalfWidth / Math.Abs(u.Spread.Mean) * 100)}% of the mean) over {Count(u.Spread.N, "replication")}, target {Number(Math.Max(precision * Math.Abs(u.Spread.Mean), absolute))}");
            }

            o.WriteLine(spec.Policy.PrecisionKpis.Count == 0
                ? $"Judged: the headline KPIs of gates and corridors with at least {PrecisionRule.MaterialTrucks:N0} trucks on average in the window, and the totals."
                : $"Judged: the KPIs matching {string.Join(", ", spec.Policy.PrecisionKpis)}, except those of gates and corridors with under {PrecisionRule.MaterialTrucks:N0} trucks on average unless named exactly.");
            if (c.JudgedKpis == 0)
            {
                o.WriteLine("WARNING: no KPI was judged (no KPI matched, or none had data): the batch stopped at its minimum.");
            }
        }

        o.WriteLine("Replication i of every scenario uses the same random streams, so differences are paired. Intervals are 95% Student-t; * marks a change whose interval excludes zero.");
        if (c.Replications < 2)
        {
            o.WriteLine($"With {Count(c.Replications, "replication")}, no interval can be computed (a spread needs two): intervals read \"undefined\". Run at least 2 replications.");
        }
        if (c.FailedRuns.Count > 0)
        {
            o.WriteLine($"WARNING: {c.FailedRuns.Count} runs failed on every attempt and are left out (their replications are compared in no scenario):");
            foreach (var f in c.FailedRuns)
            {
                o.WriteLine($"  {spec.Scenarios[f.Position].Name} replication {f.Replication}, {f.Attempts} attempts: {f.Error}");
            }
        }

        if (c.UnconservedRuns > 0)
        {
            o.WriteLine($"WARNING: {c.UnconservedRuns} runs did not conserve tonnes: the results are not trustworthy.");
        }

        o.WriteLine();
        o.WriteLine($"{c.Baseline.Name}: the baseline, headline KPIs");
        TextTable.Write(
            o,
            ["KPI", "mean", "95% CI"],
            c.Baseline.Kpis.Where(k => KpiCatalogue.IsHeadline(k.Kpi)).Select(k => new[] { k.Kpi, Number(k.Stats.Mean), Interval(k.Stats) }),
            textColumns: 1);

        foreach (var s in c.Scenarios.Where(s => !s.IsBaseline))
        {
            o.WriteLine();
            o.WriteLine($"{s.Name} vs {c.Baseline.Name} ({Count(s.Replications, "paired replication")})");
            var shown = s.VsBaseline
                .Where(k => !k.UnchangedInEveryReplication && IsReported(k.Kpi) && (KpiCatalogue.IsHeadline(k.Kpi) || k.Paired.IsSignificant))
                .ToList();
            TextTable.Write(
                o,
                ["", "KPI", c.Baseline.Name, s.Name, "change", "95% CI of change", "%"],
                shown.Select(k => new[]
                {
                    k.Paired.IsSignificant ? "*" : string.Empty,
                    k.Kpi,
                    Number(c.Baseline.Kpi(k.Kpi)!.Stats.Mean),
                    Number(s.Kpi(k.Kpi)!.Stats.Mean),
                    Signed(k.Paired.MeanDifference),
                    k.Paired.N == 0 ? NoData : k.Paired.N < 2 ? Undefined : Interval(k.Paired.CiLow, k.Paired.CiHigh),
                    double.IsFinite(k.Paired.Percent) ? k.Paired.Percent.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "n/a",
                }),
                textColumns: 2);
            // KPIs of entities the baseline lacks (a new gate, a new corridor): no difference to show, only the level.
            var added = s.Kpis.Where(k => c.Baseline.Kpi(k.Kpi) is null).ToList();
            var addedShown = added.Where(k => IsReported(k.Kpi) && KpiCatalogue.Find(k.Kpi) is { Measure: { Headline: true } or { Chart: KpiChart.Bars } }).ToList();
            if (addedShown.Count > 0)
            {
                o.WriteLine($"  new in {s.Name} (not in {c.Baseline.Name}):");
                TextTable.Write(o, ["KPI", "mean", "95% CI"], addedShown.Select(k => new[] { k.Kpi, Number(k.Stats.Mean), Interval(k.Stats) }), textColumns: 1);
            }

            var unchanged = s.VsBaseline.Count(k => k.UnchangedInEveryReplication);
            var quiet = s.VsBaseline.Count(k => !k.UnchangedInEveryReplication && !shown.Contains(k));
            o.WriteLine($"  ({unchanged} KPIs identical in every replication; {quiet} other changes not shown (not significant, or flows and routes); {added.Count} KPIs not in the baseline. All are in --json, --out and `tradesim export`.)");
            if (s.Trade is { } trade)
            {
                WriteTrade(o, trade, c.Baseline.Name);
            }

            if (s.Appraisal is { } appraisal)
            {
                WriteAppraisal(o, appraisal, c.Baseline.Name);
            }
        }
    }

    private static void WriteTrade(TextWriter o, TradeShiftOutcome t, string baseline)
    {
        o.WriteLine($"  trade vs {baseline}, tonnes a year per paired replication: created = the change in tonnes delivered (of which the trade response sets elastic_created); diverted = tonnes that moved from one gate to another, flow by flow");
        TextTable.Write(
            o,
            ["", "measure", "mean", "95% CI"],
            [Row("created_t_per_year", t.CreatedTonnesPerYear), Row("diverted_t_per_year", t.DivertedTonnesPerYear), Row("elastic_created_t_per_year", t.ElasticCreatedTonnesPerYear)],
            textColumns: 2);
    }

    private static void WriteAppraisal(TextWriter o, AppraisalOutcome a, string baseline)
    {
        var t = a.Terms;
        var rate = (t.DiscountRate * 100).ToString("0.##", CultureInfo.InvariantCulture);
        o.WriteLine($"  appraisal vs {baseline} at a {rate}% discount rate over {Count(t.HorizonYears, "year")}: capital {Number(t.CapitalUsd)} USD in year 0, operating {Number(t.OperatingUsdPerYear)} USD a year{(t.Source.Length > 0 ? $" ({t.Source})" : string.Empty)}");
        o.WriteLine("  benefit: the logistics cost saving a year (cost per tonne saved x the two scenarios' mean tonnes, the rule of a half; border hours count at the carriers' hourly cost), per paired replication; * marks an interval that excludes 0 (1 for the ratio)");
        TextTable.Write(
            o,
            ["", "measure", "mean", "95% CI"],
            [
                Row("benefit_usd_per_year", a.BenefitUsdPerYear),
                Row("border_truck_hours_saved_per_year", a.BorderHoursSavedPerYear),
                Row("pv_benefits_usd", a.PresentValueOfBenefits),
                [string.Empty, "pv_costs_usd", Number(a.PresentValueOfCosts), "(fixed)"],
                Row("npv_usd", a.NetPresentValue),
                Row("benefit_cost_ratio", a.BenefitCostRatio),
            ],
            textColumns: 2);
    }

    /// <summary>An appraisal measure: `*` when its interval excludes zero (for the ratio, when it excludes 1: benefits below or above costs).</summary>
    private static string[] Row(string measure, Statistics.Summary stats)
    {
        var neutral = measure == "benefit_cost_ratio" ? 1 : 0;
        var decided = stats.N > 1 && (stats.CiLow > neutral || stats.CiHigh < neutral);
        return [decided ? "*" : string.Empty, measure, Number(stats.Mean), Interval(stats)];
    }

    /// <summary>The groups the text tables show; posts, flows and routes are in --json, --out and `tradesim export`.</summary>
    private static bool IsReported(string kpi) =>
        KpiCatalogue.Find(kpi)?.Measure.Group is KpiGroup.Gate or KpiGroup.Corridor or KpiGroup.Total;

    /// <summary>Four significant figures, thousands separated; integers stay integers; NaN (no replication had data) "no data".</summary>
    public static string Number(double v)
    {
        if (double.IsNaN(v))
        {
            return NoData;
        }

        if (!double.IsFinite(v))
        {
            return "n/a";
        }

        var a = Math.Abs(v);
        var format = a >= 1000 || a == Math.Round(a) ? "N0" : a >= 100 ? "N1" : a >= 10 ? "N2" : "N3";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Signed(double v) => (v > 0 ? "+" : string.Empty) + Number(v);

    private static string Interval(double low, double high) => $"[{Signed(low)}, {Signed(high)}]";

    /// <summary>A level's interval, or "undefined" when one replication gives no spread (never a zero-width interval).</summary>
    private static string Interval(Statistics.Summary stats) => stats.N == 0 ? NoData : stats.N < 2 ? Undefined : $"[{Number(stats.CiLow)}, {Number(stats.CiHigh)}]";

    private const string Undefined = "undefined";

    private const string NoData = "no data";

    /// <summary>"1 scenario", "2 scenarios".</summary>
    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(CultureInfo.InvariantCulture)} {noun}s";
}
