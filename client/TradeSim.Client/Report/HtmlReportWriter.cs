using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;

namespace TradeSim.Client.Report;

/// <summary>
/// Writes a batch's comparison as one self-contained HTML5 page: inline CSS and SVG, no script and no external
/// resource, so it can be mailed, archived and opened offline. Sections: the batch at a glance, the scenarios, the
/// comparison tables, per-gate bar charts, daily queues, a schematic of the baseline's flows, and provenance
/// (hashes and full scenario text) to reproduce every number. Scenario text is user input and is escaped
/// everywhere it appears.
/// </summary>
internal static class HtmlReportWriter
{
    /// <summary>Page width the charts are drawn for: the 1200 px column less its padding.</summary>
    private const double ContentWidth = 1160;

    private const double SmallChartWidth = 570;

    /// <summary>The groups of the comparison tables, in order; a KPI is a row when it is a headline or charted one, or a fleet's (capacity is what a what-if may run out of).</summary>
    private static readonly (KpiGroup Group, string Heading)[] TableGroups =
    [
        (KpiGroup.Gate, "Gates"),
        (KpiGroup.Corridor, "Corridors"),
        (KpiGroup.Fleet, "Fleets"),
        (KpiGroup.Total, "Totals"),
    ];

    /// <summary>Effects the summary names per scenario, largest first; the rest are counted.</summary>
    private const int SummaryEffects = 3;

    public static void Write(TextWriter writer, BatchComparison comparison, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(commandLine);
        var model = new ReportModel(comparison);
        var title = comparison.SourceBatches.Count > 1
            ? $"TradeSim batches {string.Join(", ", comparison.SourceBatches)}: {string.Join(" vs ", model.Ordered.Select(s => s.Name))}"
            : $"TradeSim batch {comparison.Batch.Id}: {string.Join(" vs ", model.Ordered.Select(s => s.Name))}";
        writer.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        writer.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        writer.Write($"<title>{E(title)}</title>\n<style>\n{Stylesheet}</style>\n</head>\n<body>\n<main>\n");
        WriteHeader(writer, model, title);
        WriteSummary(writer, model);
        WriteScenarios(writer, model);
        WriteForest(writer, model);
        WriteComparison(writer, model);
        WriteGateCharts(writer, model);
        WriteCrossingSplit(writer, model);
        WritePostCharts(writer, model);
        WriteDailyQueues(writer, model);
        WriteMap(writer, model);
        WriteNetwork(writer, model);
        WriteGlossary(writer, model);
        WriteProvenance(writer, model, commandLine);
        writer.Write("</main>\n</body>\n</html>\n");
    }

    /// <summary>Gates whose queue is above zero on some day in some scenario: each gets a daily-queue chart.</summary>
    private static List<string> QueuedGates(ReportModel model) =>
        [.. model.Gates.Where(g => model.Ordered.Any(s => s.DailyQueues.Any(q => q.Gate == g && (q.Mean.Any(v => v > 0) || q.High.Any(v => v > 0)))))];

    private static string E(string? text) => ReportText.Escape(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void WriteHeader(TextWriter o, ReportModel model, string title)
    {
        var c = model.Comparison;
        var batch = c.Batch;
        var policy = batch.Spec.Policy;
        o.Write($"<header>\n<p class=\"eyebrow\">TradeSim batch report</p>\n<h1>{E(title)}</h1>\n");
        o.Write("<dl class=\"facts\">\n");
        Fact(o, c.SourceBatches.Count > 1 ? "Batches" : "Batch", c.SourceBatches.Count > 1 ? string.Join(", ", c.SourceBatches.Select(id => Inv($"#{id}"))) : Inv($"#{batch.Id}"));
        Fact(o, "Created", batch.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        Fact(o, "Status", batch.Status);
        Fact(o, "Replications", c.Replications == batch.PlannedReplications
            ? Inv($"{c.Replications} per scenario")
            : Inv($"{c.Replications} per scenario ({batch.PlannedReplications} planned)"));
        Fact(o, "Seed", batch.Spec.Seed.ToString(CultureInfo.InvariantCulture));
        Fact(o, "Precision", policy.Precision is { } precision
            ? Inv($"{(c.PrecisionReached ? "reached" : "not reached")}: half-width \u2264 {ReportText.Number(precision * 100, 1)}% of |mean|{(policy.AbsoluteTolerance > 0 ? $" or \u2264 {ReportText.Number(policy.AbsoluteTolerance)}" : string.Empty)} for {c.JudgedKpis} KPIs{(policy.PrecisionKpis.Count > 0 ? $" matching {string.Join(", ", policy.PrecisionKpis)}" : string.Empty)} ({policy.MinReplications}\u2013{policy.MaxReplications} replications)")
            : "fixed number of replications");
        var s = model.BaselineEntities;
        Fact(o, "Statistics window", Inv($"{s.Start:yyyy-MM-dd} to {s.Start.AddDays(s.Days - 1):yyyy-MM-dd} ({s.Days} days after {s.WarmupDays} of warm-up)"));

        o.Write("</dl>\n");
        if (batch.Status != BatchStatus.Complete)
        {
            o.Write($"<p class=\"warning\">This batch is <strong>{E(batch.Status)}</strong>: every number below uses the {c.Replications} replications finished in every scenario.</p>\n");
        }

        if (c.UnconservedRuns > 0)
        {
            o.Write(Inv($"<p class=\"warning\"><strong>{c.UnconservedRuns} run(s) did not conserve tonnes</strong>: cargo was created or lost in the simulation; treat these results with suspicion and report the scenario.</p>\n"));
        }

        o.Write("<nav><a href=\"#summary\">Summary</a> <a href=\"#scenarios\">Scenarios</a> <a href=\"#effects\">Effects</a> <a href=\"#comparison\">Comparison</a> <a href=\"#gates\">Gates</a> <a href=\"#split\">Hours split</a> <a href=\"#posts\">Posts</a> <a href=\"#queues\">Daily queues</a> <a href=\"#map\">Map</a> <a href=\"#network\">Flows</a> <a href=\"#glossary\">Glossary</a> <a href=\"#provenance\">Provenance</a></nav>\n</header>\n");
    }

    private static void Fact(TextWriter o, string label, string value) => o.Write($"<div><dt>{E(label)}</dt><dd>{E(value)}</dd></div>\n");

    private static void WriteScenarios(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"scenarios\">\n<h2>Scenarios</h2>\n<table class=\"scenarios\">\n<thead><tr><th></th><th>Scenario</th><th>Description</th></tr></thead>\n<tbody>\n");
        foreach (var s in model.Ordered)
        {
            var role = s.IsBaseline ? " <span class=\"badge\">baseline</span>" : string.Empty;
            var description = model.Entities(s).Description;
            o.Write($"<tr><td class=\"swatch-cell\"><span class=\"swatch\" style=\"background:{model.Colour(s)}\"></span></td><td class=\"name\">{E(s.Name)}{role}</td><td>{E(description)}</td></tr>\n");
        }

        o.Write("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteComparison(TextWriter o, ReportModel model)
    {
        var c = model.Comparison;
        o.Write("<section id=\"comparison\">\n<h2>Comparison with the baseline</h2>\n");
        o.Write(Inv($"<p class=\"note\">Differences are paired by replication: replication <em>i</em> of every scenario uses the same random streams, so the noise they share cancels. Each value is the mean of {c.Replications} replications \u00b1 the half-width of its 95% confidence interval. <strong>\u25b2 / \u25bc bold rows</strong>: the 95% interval of the difference lies wholly above / below zero.</p>\n"));
        var others = model.Ordered.Where(s => !s.IsBaseline).ToList();
        if (others.Count == 0)
        {
            o.Write("<p>The batch ran the baseline alone: there is nothing to compare.</p>\n");
        }

        foreach (var scenario in others)
        {
            WriteComparisonTable(o, model, scenario);
            if (scenario.Trade is { } trade)
            {
                WriteTrade(o, trade, c.Baseline.Name);
            }

            if (scenario.Appraisal is { } appraisal)
            {
                WriteAppraisal(o, appraisal, c.Baseline.Name);
            }
        }

        o.Write("</section>\n");
    }

    private static void WriteComparisonTable(TextWriter o, ReportModel model, ScenarioOutcome scenario)
    {
        var baseline = model.Comparison.Baseline;
        var shown = new List<(string Heading, List<KpiComparison> Rows)>();
        var skipped = 0;
        foreach (var (group, heading) in TableGroups)
        {
            var rows = new List<KpiComparison>();
            foreach (var k in scenario.VsBaseline)
            {
                if (ReportModel.Measure(k.Kpi) is not { } measure || measure.Group != group || !(measure.Headline || measure.Chart == KpiChart.Bars || measure.Group == KpiGroup.Fleet))
                {
                    continue;
                }

                if (k.UnchangedInEveryReplication)
                {
                    skipped++;
                    continue;
                }

                rows.Add(k);
            }

            if (rows.Count > 0)
            {
                shown.Add((heading, rows));
            }
        }

        o.Write($"<h3 id=\"vs-{scenario.Scenario.Position}\"><span class=\"swatch\" style=\"background:{model.Colour(scenario)}\"></span>{E(scenario.Name)} <span class=\"vs\">vs</span> {E(baseline.Name)}</h3>\n");
        o.Write(skipped == 0
            ? "<p class=\"note\">Every headline KPI changed in at least one replication.</p>\n"
            : Inv($"<p class=\"note\">{skipped} headline KPI{(skipped == 1 ? " is" : "s are")} not shown: identical to the baseline in every replication.</p>\n"));
        if (shown.Count == 0)
        {
            return;
        }

        o.Write("<table class=\"comparison\">\n<thead><tr><th>KPI</th>");
        o.Write($"<th class=\"num\">{E(baseline.Name)}</th><th class=\"num\">{E(scenario.Name)}</th>");
        o.Write("<th class=\"num\">\u0394 (paired)</th><th class=\"num\">95% CI of \u0394</th><th class=\"num\">\u0394 %</th></tr></thead>\n");
        foreach (var (heading, rows) in shown)
        {
            o.Write($"<tbody>\n<tr class=\"group\"><th colspan=\"6\">{E(heading)}</th></tr>\n");
            foreach (var row in rows)
            {
                WriteComparisonRow(o, model, baseline.Kpi(row.Kpi), scenario.Kpi(row.Kpi), row);
            }

            o.Write("</tbody>\n");
        }

        o.Write("</table>\n");
    }

    /// <summary>The trade a what-if creates and diverts, under its comparison table.</summary>
    private static void WriteTrade(TextWriter o, TradeShiftOutcome t, string baseline)
    {
        o.Write($"<p class=\"note\">Trade against {E(baseline)}, tonnes a year per paired replication. Created: the change in tonnes delivered; of it, the trade response to cost and time (trade_elasticity) sets the elastic part. Diverted: tonnes that moved from one gate to another, flow by flow.</p>\n");
        o.Write("<table class=\"comparison trade\">\n<thead><tr><th>Trade (t a year)</th><th class=\"num\">mean</th><th class=\"num\">95% CI</th></tr></thead>\n<tbody>\n");
        SummaryRow(o, "trade created", t.CreatedTonnesPerYear, 0);
        SummaryRow(o, "of which by the trade response", t.ElasticCreatedTonnesPerYear, 0);
        SummaryRow(o, "trade diverted", t.DivertedTonnesPerYear, 0);
        o.Write("</tbody>\n</table>\n");
    }

    /// <summary>A what-if's appraisal under its comparison table: the terms it was appraised on, then each measure's mean and 95% interval.</summary>
    private static void WriteAppraisal(TextWriter o, AppraisalOutcome a, string baseline)
    {
        var t = a.Terms;
        var rate = (t.DiscountRate * 100).ToString("0.##", CultureInfo.InvariantCulture);
        var source = t.Source.Length > 0 ? $" ({t.Source})" : string.Empty;
        o.Write(Inv($"<p class=\"note\">Appraisal against {E(baseline)} at a {rate}% discount rate over {t.HorizonYears} years: capital {E(ReportText.Number(t.CapitalUsd, 0))} USD in year 0, operating {E(ReportText.Number(t.OperatingUsdPerYear, 0))} USD a year{E(source)}. The benefit is the logistics cost saving a year (the cost per tonne saved times the two scenarios' mean tonnes a year, the rule of a half; border hours count at the carriers' hourly cost), computed per paired replication.</p>\n"));
        o.Write("<table class=\"comparison appraisal\">\n<thead><tr><th>Appraisal</th><th class=\"num\">mean</th><th class=\"num\">95% CI</th></tr></thead>\n<tbody>\n");
        SummaryRow(o, "benefit a year (USD)", a.BenefitUsdPerYear, 0);
        SummaryRow(o, "border truck-hours saved a year", a.BorderHoursSavedPerYear, 0);
        SummaryRow(o, "present value of the benefits (USD)", a.PresentValueOfBenefits, 0);
        o.Write($"<tr><td>present value of the costs (USD)</td><td class=\"num\">{E(ReportText.Number(a.PresentValueOfCosts, 0))}</td><td class=\"num\">fixed</td></tr>\n");
        SummaryRow(o, "net present value (USD)", a.NetPresentValue, 0);
        SummaryRow(o, "benefit-cost ratio", a.BenefitCostRatio, 2);
        o.Write("</tbody>\n</table>\n");
    }

    /// <summary>A measure's mean and 95% interval in a table of appraisal or trade figures.</summary>
    private static void SummaryRow(TextWriter o, string label, Statistics.Summary stats, int decimals)
    {
        var interval = stats.N == 0 ? "no data" : stats.N == 1 ? "undefined (1 replication)" : $"{ReportText.Number(stats.CiLow, decimals)} to {ReportText.Number(stats.CiHigh, decimals)}";
        o.Write($"<tr><td>{E(label)}</td><td class=\"num\">{E(ReportText.Number(stats.Mean, decimals))}</td><td class=\"num\">{E(interval)}</td></tr>\n");
    }

    private static void WriteComparisonRow(TextWriter o, ReportModel model, KpiSummary? baseline, KpiSummary? scenario, KpiComparison row)
    {
        var d = row.Paired;

        // One number of decimals per row, from the larger mean, so the row's columns line up and compare.
        var decimals = ReportText.DecimalsFor(Math.Max(Finite(baseline?.Stats.Mean), Finite(scenario?.Stats.Mean)));
        var significant = d.IsSignificant;
        var mark = !significant ? string.Empty : d.MeanDifference > 0 ? "<span class=\"mark\" title=\"significant increase\">\u25b2</span> " : "<span class=\"mark\" title=\"significant decrease\">\u25bc</span> ";
        o.Write($"<tr class=\"kpi{(significant ? " significant" : string.Empty)}\"><td>{E(model.KpiLabel(row.Kpi))}<span class=\"kpi-id\">{E(row.Kpi)}</span></td>");
        o.Write($"<td class=\"num\">{MeanAndHalfWidth(baseline, decimals)}</td><td class=\"num\">{MeanAndHalfWidth(scenario, decimals)}</td>");
        o.Write(d.N == 0
            ? "<td class=\"num no-data\">no data</td><td class=\"num no-data\">\u2013</td>"
            : d.N == 1
                ? $"<td class=\"num\">{E(ReportText.Signed(d.MeanDifference, decimals))}</td><td class=\"num\">undefined (1 replication)</td>"
                : $"<td class=\"num\">{mark}{E(ReportText.Signed(d.MeanDifference, decimals))}</td><td class=\"num\">{E(ReportText.Signed(d.CiLow, decimals))} to {E(ReportText.Signed(d.CiHigh, decimals))}</td>");
        o.Write($"<td class=\"num\">{E(ReportText.Percent(d.Percent))}</td></tr>\n");
    }

    /// <summary>The magnitude of a mean for choosing decimals; a mean without data counts as none.</summary>
    private static double Finite(double? mean) => mean is { } m && double.IsFinite(m) ? Math.Abs(m) : 0;

    private static string MeanAndHalfWidth(KpiSummary? kpi, int decimals) =>
        kpi is null
            ? ReportText.NotAvailable
            : kpi.Stats.N == 0
                ? "<span class=\"no-data\">no data</span>"
                : kpi.Stats.N == 1
                    ? $"{E(ReportText.Number(kpi.Stats.Mean, decimals))} <span class=\"pm\">(interval undefined)</span>"
                    : $"{E(ReportText.Number(kpi.Stats.Mean, decimals))} <span class=\"pm\">\u00b1 {E(ReportText.Number(kpi.Stats.HalfWidth, decimals))}</span>";

    /// <summary>
    /// One sentence per what-if: its largest significant effects (paired 95% interval clear of zero, on a base large
    /// enough for a percent) among the headline and charted KPIs of gates, corridors and totals, with the levels
    /// before and after; gates new in the scenario; gates no truck crossed.
    /// </summary>
    private static void WriteSummary(TextWriter o, ReportModel model)
    {
        var c = model.Comparison;
        o.Write("<section id=\"summary\">\n<h2>Summary</h2>\n");
        var others = model.Ordered.Where(s => !s.IsBaseline).ToList();
        if (others.Count == 0)
        {
            o.Write("<p>The batch ran the baseline alone: there is no what-if to sum up.</p>\n</section>\n");
            return;
        }

        o.Write(Inv($"<p class=\"note\">Each what-if against {E(c.Baseline.Name)} over {c.Replications} paired replications: its largest changes whose 95% interval excludes zero, on KPIs whose baseline is large enough for a percent to mean something.</p>\n<ul class=\"summary\">\n"));
        foreach (var scenario in others)
        {
            var effects = scenario.VsBaseline
                .Where(k => k.Paired.IsSignificant && double.IsFinite(k.Paired.Percent)
                    && ReportModel.Measure(k.Kpi) is { Group: KpiGroup.Gate or KpiGroup.Corridor or KpiGroup.Total } m && (m.Headline || m.Chart == KpiChart.Bars))
                .OrderByDescending(k => Math.Abs(k.Paired.Percent))
                .ThenBy(k => k.Kpi, StringComparer.Ordinal)
                .ToList();
            var phrases = effects.Take(SummaryEffects).Select(k =>
            {
                var before = c.Baseline.Kpi(k.Kpi)!.Stats.Mean;
                var after = scenario.Kpi(k.Kpi)!.Stats.Mean;
                var unit = ReportModel.Measure(k.Kpi)!.Unit;
                return $"{model.KpiLabel(k.Kpi)} {(k.Paired.MeanDifference < 0 ? "falls" : "rises")} {ReportText.Number(Math.Abs(k.Paired.Percent), 1)}% ({ReportText.Number(before)} \u2192 {ReportText.Number(after)} {unit})";
            }).ToList();
            var added = model.Gates.Where(g => scenario.Kpi(KpiCatalogue.GateTrucks.NameFor(g)) is not null && c.Baseline.Kpi(KpiCatalogue.GateTrucks.NameFor(g)) is null)
                .Select(g => $"new gate {model.GateName(g)} carries {ReportText.Number(scenario.Kpi(KpiCatalogue.GateTrucks.NameFor(g))!.Stats.Mean)} trucks")
                .ToList();
            var idle = model.Gates.Where(g => scenario.Kpi(KpiCatalogue.GateTrucks.NameFor(g)) is { Stats.Mean: 0 } && c.Baseline.Kpi(KpiCatalogue.GateTrucks.NameFor(g)) is { Stats.Mean: > 0 })
                .Select(g => $"no truck crosses at {model.GateName(g)}")
                .ToList();
            var parts = phrases.Concat(added).Concat(idle).ToList();
            var sentence = parts.Count == 0
                ? "no significant change in any headline or charted KPI"
                : string.Join("; ", parts) + (effects.Count > SummaryEffects ? Inv($"; and {effects.Count - SummaryEffects} more significant change{(effects.Count - SummaryEffects == 1 ? string.Empty : "s")} in the table") : string.Empty);
            o.Write($"<li><span class=\"swatch\" style=\"background:{model.Colour(scenario)}\"></span><strong>{E(scenario.Name)}</strong>: {E(sentence)}.</li>\n");
        }

        o.Write("</ul>\n</section>\n");
    }

    /// <summary>The forest plot: every scenario's paired effect on each headline KPI, in percent of the baseline, with its 95% interval.</summary>
    private static void WriteForest(TextWriter o, ReportModel model)
    {
        var c = model.Comparison;
        var others = model.Ordered.Where(s => !s.IsBaseline).ToList();
        o.Write("<section id=\"effects\">\n<h2>Effects on the headline KPIs</h2>\n");
        var rows = c.Baseline.Kpis
            .Where(k => ReportModel.Measure(k.Kpi) is { Headline: true } && others.Any(s => s.Comparison(k.Kpi) is { Paired.Percent: var p } && double.IsFinite(p)))
            .Select(k => k.Kpi)
            .ToList();
        if (others.Count == 0 || rows.Count == 0 || c.Replications < 2)
        {
            o.Write("<p class=\"note\">No effect to plot: a forest plot needs a what-if, at least two replications and a headline KPI with a material baseline.</p>\n</section>\n");
            return;
        }

        o.Write("<p class=\"note\">Each square is a what-if's paired mean change in a headline KPI, in percent of the baseline's mean; the line through it is the 95% interval. A line that does not cross the zero rule is a significant change. KPIs of gates and corridors with little traffic, where a percent misleads, are left out.</p>\n");
        var series = others.Select(s => new ForestSeries(
            s.Name,
            model.Colour(s),
            [.. rows.Select(kpi =>
            {
                if (s.Comparison(kpi) is not { } k || !double.IsFinite(k.Paired.Percent) || c.Baseline.Kpi(kpi) is not { Stats.Mean: var mean and not 0 })
                {
                    return (BarValue?)null;
                }

                return new BarValue(k.Paired.Percent, k.Paired.CiLow / Math.Abs(mean) * 100, k.Paired.CiHigh / Math.Abs(mean) * 100);
            })])).ToList();
        var frame = new ChartFrame(
            "chart-forest",
            "Paired effects on the headline KPIs",
            $"Forest plot of the percent change of each headline KPI against {c.Baseline.Name}, one point per scenario, with 95% intervals.",
            "change against the baseline (%)",
            ContentWidth,
            0);
        o.Write($"<figure>\n{SvgChart.Forest(frame, [.. rows.Select(model.KpiLabel)], series)}</figure>\n</section>\n");
    }

    private static void WriteGateCharts(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"gates\">\n<h2>Gates</h2>\n");
        o.Write("<p class=\"note\">Every gate of every scenario, new ones included. One bar per scenario at each gate: the mean over replications; the whiskers span the 95% confidence interval of that mean. A gate without a bar had no data in that scenario (it does not exist there, or no truck crossed). Where the gates differ by two orders of magnitude or more, the axis is logarithmic.</p>\n");
        WriteEntityBars(o, model, KpiCatalogue.Gate, model.Gates, model.GateName, "gate");
        o.Write("</section>\n");
    }

    /// <summary>
    /// The WCO Time Release Study split of each gate's mean hours to cross, one stacked bar per scenario: waiting for a
    /// post to open, queueing at open lanes, inspection and clearance, the drive between the posts.
    /// </summary>
    private static void WriteCrossingSplit(TextWriter o, ReportModel model)
    {
        var parts = KpiCatalogue.CrossingSplit;
        var gates = model.Gates.Where(g => model.Ordered.Any(s => s.Kpi(parts[0].NameFor(g)) is { Stats.N: > 0 })).ToList();
        o.Write("<section id=\"split\">\n<h2>Where the hours to cross go</h2>\n");
        if (gates.Count == 0)
        {
            o.Write("<p class=\"note\">No truck crossed a gate in any scenario: there are no hours to split.</p>\n</section>\n");
            return;
        }

        o.Write("<p class=\"note\">The mean hours to cross each gate split as the WCO Time Release Study splits release time: waiting while a post was closed (outside its hours, or during a closure), queueing while it was open and its lanes busy, inspection and clearance at both posts, and the drive between them. The parts add up to the mean hours to cross; one bar per scenario (means over replications). A scenario without a bar had no truck crossing that gate.</p>\n<div class=\"grid\">\n");
        var colours = new[] { "#8c959f", "#D55E00", "#0072B2", "#009E73" };
        var legend = parts.Select((m, i) => (char.ToUpperInvariant(m.Label[0]) + m.Label[1..], colours[i % colours.Length])).ToList();
        foreach (var gate in gates)
        {
            var values = model.Ordered.Select(s => parts.All(m => s.Kpi(m.NameFor(gate)) is { Stats.N: > 0 })
                ? parts.Select(m => s.Kpi(m.NameFor(gate))!.Stats.Mean).ToArray()
                : null).ToList();
            var name = model.GateName(gate);
            var frame = new ChartFrame(
                $"chart-split-{gate}",
                name,
                $"Stacked bars of the mean hours to cross {name} per scenario, split into waiting for opening, queueing, inspection and clearance, and transfer.",
                "hours",
                SmallChartWidth,
                300);
            o.Write($"<figure>\n{SvgChart.StackedBars(frame, [.. model.Ordered.Select(s => s.Name)], legend, values)}</figure>\n");
        }

        o.Write("</div>\n</section>\n");
    }

    /// <summary>Per-post bars: a gate's two posts side by side, so a busy post is not hidden in its gate's average.</summary>
    private static void WritePostCharts(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"posts\">\n<h2>Posts</h2>\n");
        o.Write("<p class=\"note\">Each gate has a post on each side of the border, with its own lanes, hours and inspections (the WCO Time Release Study view). A gate's figures average its two posts; these charts show each post alone.</p>\n");
        WriteEntityBars(o, model, KpiCatalogue.Post, model.Posts, model.PostName, "post");
        o.Write("</section>\n");
    }

    private static void WriteEntityBars<T>(TextWriter o, ReportModel model, IReadOnlyList<KpiMeasure<T>> measures, IReadOnlyList<string> entities, Func<string, string> name, string idPrefix)
    {
        var categories = entities.Select(name).ToList();
        foreach (var measure in measures.Where(m => m.Chart == KpiChart.Bars))
        {
            var series = model.Ordered.Select(s => new BarSeries(
                s.Name,
                model.Colour(s),
                [.. entities.Select(e => s.Kpi(measure.NameFor(e)) is { Stats.N: > 0 } k ? new BarValue(k.Stats.Mean, k.Stats.CiLow, k.Stats.CiHigh) : (BarValue?)null)])).ToList();
            var title = char.ToUpperInvariant(measure.Label[0]) + measure.Label[1..];
            var frame = new ChartFrame(
                $"chart-{idPrefix}-{measure.Measure.Replace('_', '-')}",
                title,
                $"Bar chart of {measure.Label} at each {idPrefix}, one bar per scenario ({string.Join(", ", model.Ordered.Select(s => s.Name))}), with 95% confidence intervals as whiskers.",
                measure.Unit,
                ContentWidth,
                340,
                NonNegative: true);
            o.Write($"<figure>\n{SvgChart.GroupedBars(frame, categories, series)}</figure>\n");
        }
    }

    private static bool SameBand(DailyQueueBand a, DailyQueueBand b) =>
        a.Mean.AsSpan().SequenceEqual(b.Mean) && a.Low.AsSpan().SequenceEqual(b.Low) && a.High.AsSpan().SequenceEqual(b.High);

    private static void WriteDailyQueues(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"queues\">\n<h2>Daily queues</h2>\n");
        var gates = QueuedGates(model);
        if (gates.Count == 0)
        {
            o.Write("<p class=\"note\">No gate had a queue on any day of the window.</p>\n</section>\n");
            return;
        }

        o.Write("<p class=\"note\">Mean number of trucks queued at a gate's two posts, day by day: the line is the mean over replications, the shaded band spans the 10th to 90th percentile of the replications. Gates that never had a queue are left out; a scenario whose queue at a gate is the baseline's, day for day, is named under its chart rather than drawn over it. Shaded spans are closures of the gate, in the colour of the scenario that closes it.</p>\n<div class=\"grid\">\n");
        foreach (var gate in gates)
        {
            // A scenario whose series here is the baseline's, day for day, would only stack its band on the
            // baseline's: it is named under the chart instead of drawn.
            var baseBand = model.Comparison.Baseline.DailyQueues.FirstOrDefault(q => q.Gate == gate);
            var bands = model.Ordered
                .Select(s => (Scenario: s, Band: s.DailyQueues.FirstOrDefault(q => q.Gate == gate)))
                .Where(x => x.Band is not null)
                .ToList();
            var identical = bands.Where(x => !x.Scenario.IsBaseline && baseBand is not null && SameBand(x.Band!, baseBand)).Select(x => x.Scenario).ToList();
            var series = bands
                .Where(x => !identical.Contains(x.Scenario))
                .Select(x => new BandSeries(x.Scenario.Name, model.Colour(x.Scenario), x.Band!.Mean, x.Band.Low, x.Band.High))
                .ToList();
            var name = model.GateName(gate);

            // Each closure of this gate once, in the colour of the scenario that closes it; one several scenarios
            // share (a crossing closed in the baseline and most what-ifs) in grey, naming them.
            var closures = model.Ordered
                .SelectMany(s => (model.Entities(s).Gate(gate)?.Closures ?? []).Select(cl => (Scenario: s, Closure: cl)))
                .GroupBy(x => x.Closure)
                .Select(g =>
                {
                    var who = g.Select(x => x.Scenario).ToList();
                    var from = g.Key.From.DayNumber - model.FirstDay.DayNumber;
                    var names = who.Count == model.Ordered.Count ? "every scenario" : string.Join(", ", who.Select(x => x.Name));
                    return new ShadedDays(from, from + g.Key.Days - 1, $"closed in {names}: {g.Key.Reason}", who.Count == 1 ? model.Colour(who[0]) : "#8c959f");
                })
                .ToList();
            var frame = new ChartFrame(
                $"chart-queue-{gate}",
                name,
                $"Line chart of the daily mean queue at {name} per scenario, with the 10th to 90th percentile band across replications.",
                "trucks queued",
                SmallChartWidth,
                260);
            var same = identical.Count == 0
                ? string.Empty
                : $"<figcaption class=\"note same-as-baseline\">The same as {E(model.Comparison.Baseline.Name)} here, day for day: {E(string.Join(", ", identical.Select(x => x.Name)))}.</figcaption>\n";
            o.Write($"<figure>\n{SvgChart.BandedLines(frame, model.FirstDay, series, closures)}{same}</figure>\n");
        }

        o.Write("</div>\n</section>\n");
    }

    /// <summary>Mean tonnes of each route of a scenario (flow through a gate, or direct).</summary>
    private static List<RouteVolume> Volumes(ScenarioOutcome scenario) =>
        [.. scenario.Kpis
            .Select(k => (Found: KpiCatalogue.Find(k.Kpi), k.Stats.Mean))
            .Where(k => k.Found?.Measure == KpiCatalogue.RouteTonnes)
            .Select(k =>
            {
                var ids = k.Found!.Value.Entity.Split('.');
                return new RouteVolume(ids[0], ids[1] == KpiCatalogue.DirectRoute ? null : ids[1], k.Mean);
            })];

    private static void WriteMap(TextWriter o, ReportModel model)
    {
        var baseline = model.Comparison.Baseline;
        var entities = model.BaselineEntities;
        o.Write("<section id=\"map\">\n<h2>Map of the baseline</h2>\n");
        o.Write(Inv($"<p class=\"note\">{E(baseline.Name)}: nodes and gates at the coordinates the scenario gives them (approximate: each carries its source in the scenario file), routes as straight lines from origin through gate to destination, as wide as their mean tonnes over the {entities.Days}-day window. TradeSim ships no boundary data: a border is sketched as a dashed line through the gates it has.</p>\n"));
        o.Write($"<figure>\n{NetworkMap.Draw("chart-map", entities, Volumes(baseline), ContentWidth)}</figure>\n</section>\n");
    }

    private static void WriteNetwork(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"network\">\n<h2>Flows of the baseline</h2>\n");
        var baseline = model.Comparison.Baseline;
        var entities = model.BaselineEntities;
        var volumes = Volumes(baseline);
        var idle = entities.Flows.Where(f => !volumes.Any(v => v.Flow == f.Id && v.Tonnes > 0)).Select(f => f.Id).ToList();
        o.Write($"<p class=\"note\">{E(baseline.Name)}: mean tonnes delivered along each route (origin, gate, destination) over the {entities.Days.ToString(CultureInfo.InvariantCulture)}-day statistics window from {entities.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}. Band widths are proportional to tonnes; colours are commodities; arrowheads point at destinations.");
        if (idle.Count > 0)
        {
            o.Write($" Flows that delivered nothing: {E(string.Join(", ", idle))}.");
        }

        o.Write("</p>\n");
        o.Write($"<figure>\n{NetworkSchematic.Draw("chart-network", baseline.Name, entities, volumes, ContentWidth)}</figure>\n</section>\n");
    }

    /// <summary>Every KPI the report shows, from the catalogue: its name pattern, unit, how a run forms it, and what it means.</summary>
    private static void WriteGlossary(TextWriter o, ReportModel model)
    {
        var shown = model.Ordered.SelectMany(s => s.Kpis).Select(k => ReportModel.Measure(k.Kpi)).Where(m => m is not null).Distinct().ToHashSet();
        o.Write("<section id=\"glossary\">\n<h2>Glossary of KPIs</h2>\n");
        o.Write("<p class=\"note\">Every measure is over the statistics window, warm-up excluded, per replication; the report gives its mean over replications. G is a gate, P a post's country, C a corridor, F a flow, K a carrier's fleet. <strong>Headline</strong> KPIs lead the tables and are the ones <code>--precision</code> judges by default. A KPI a replication could not measure (no truck crossed, so no crossing time) has no data there, never 0.</p>\n");
        o.Write("<table class=\"glossary\">\n<thead><tr><th>KPI</th><th>Label</th><th>Unit</th><th>Per run</th><th>Meaning</th></tr></thead>\n<tbody>\n");
        foreach (var m in KpiCatalogue.All.Where(shown.Contains))
        {
            o.Write($"<tr id=\"kpi-{E(m.Pattern.Replace('.', '-'))}\"><td><code>{E(m.Pattern)}</code>{(m.Headline ? " <span class=\"badge\">headline</span>" : string.Empty)}</td><td>{E(m.Label)}</td><td>{E(m.Unit)}</td><td>{E(AggregationWords(m.Aggregation))}</td><td>{E(m.Description)}</td></tr>\n");
        }

        o.Write("</tbody>\n</table>\n</section>\n");
    }

    private static string AggregationWords(KpiAggregation aggregation) => aggregation switch
    {
        KpiAggregation.Count => "count",
        KpiAggregation.Sum => "sum",
        KpiAggregation.Mean => "mean per truck or trip",
        KpiAggregation.Percentile95 => "95th percentile",
        KpiAggregation.Maximum => "maximum",
        KpiAggregation.TimeAverage => "time average",
        _ => "ratio of sums",
    };

    private static void WriteProvenance(TextWriter o, ReportModel model, string commandLine)
    {
        var batch = model.Comparison.Batch;
        o.Write("<section id=\"provenance\">\n<h2>Provenance</h2>\n");
        o.Write("<p class=\"note\">Everything needed to reproduce these numbers: the same scenario text (checked by its SHA-256), seed, replications and engine version give the same results.</p>\n");
        o.Write("<table class=\"provenance\">\n<thead><tr><th>#</th><th>Scenario</th><th>Layers (base first)</th><th>SHA-256 of the resolved text</th></tr></thead>\n<tbody>\n");
        foreach (var s in model.Comparison.Scenarios)
        {
            var layers = string.Join("<br>", s.Scenario.Layers.Select(l => $"<code>{E(l.Name)}</code>"));
            o.Write($"<tr><td class=\"num\">{s.Scenario.Position.ToString(CultureInfo.InvariantCulture)}</td><td class=\"name\">{E(s.Name)}{(s.IsBaseline ? " <span class=\"badge\">baseline</span>" : string.Empty)}</td><td>{layers}</td><td class=\"hash\">{E(s.Scenario.Hash)}</td></tr>\n");
        }

        o.Write("</tbody>\n</table>\n<dl class=\"facts provenance-facts\">\n");
        Fact(o, "Seed", batch.Spec.Seed.ToString(CultureInfo.InvariantCulture));
        Fact(o, "Replications", Inv($"{model.Comparison.Replications} per scenario (planned {batch.PlannedReplications})"));
        Fact(o, "Engine version", batch.EngineVersion);
        Fact(o, "Report runtime", $".NET {Environment.Version}");
        o.Write("</dl>\n<h3>Batch options</h3>\n");

        // The options as they were given, one line; an option with a space in it is quoted so the line can be reused.
        o.Write(batch.Spec.Options.Count == 0
            ? "<p class=\"note\">None.</p>\n"
            : $"<pre class=\"command\">{string.Join(' ', batch.Spec.Options.Select(opt => $"<code>{E(opt.Contains(' ', StringComparison.Ordinal) ? $"'{opt}'" : opt)}</code>"))}</pre>\n");
        o.Write($"<h3>Command line</h3>\n<pre class=\"command\">{E(commandLine)}</pre>\n");
        o.Write("<h3>Scenario text</h3>\n");
        foreach (var s in model.Comparison.Scenarios)
        {
            o.Write($"<details>\n<summary>{E(s.Name)}: {s.Scenario.Layers.Count.ToString(CultureInfo.InvariantCulture)} layer{(s.Scenario.Layers.Count == 1 ? string.Empty : "s")}, sha256 {E(s.Scenario.Hash[..Math.Min(12, s.Scenario.Hash.Length)])}\u2026</summary>\n<pre>");
            foreach (var layer in s.Scenario.Layers)
            {
                o.Write($"<span class=\"layer\"># ---- layer: {E(layer.Name)} ----</span>\n{E(layer.Text.TrimEnd())}\n\n");
            }

            o.Write("</pre>\n</details>\n");
        }

        o.Write("</section>\n");
    }

    /// <summary>
    /// The page's only styling. System fonts (nothing to download), a 1200 px column, right-aligned tabular figures,
    /// and the classes the SVG charts use.
    /// </summary>
    internal const string Stylesheet =
        """
        :root { --ink: #1f2328; --muted: #59636e; --rule: #d8dee4; --panel: #f6f8fa; --accent: #0072B2; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #fff; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
        main { max-width: 1200px; margin: 0 auto; padding: 28px 20px 56px; }
        header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; }
        .eyebrow { margin: 0; color: var(--accent); font-size: 13px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; }
        h1 { margin: 2px 0 14px; font-size: 28px; line-height: 1.25; overflow-wrap: anywhere; }
        h2 { margin: 44px 0 10px; padding-bottom: 6px; font-size: 21px; border-bottom: 1px solid var(--rule); }
        h3 { margin: 28px 0 6px; font-size: 17px; overflow-wrap: anywhere; }
        h3 .vs { color: var(--muted); font-weight: 400; }
        .note { margin: 4px 0 12px; color: var(--muted); font-size: 14px; max-width: 80ch; }
        .warning { background: #fff4e0; border-left: 4px solid #E69F00; padding: 8px 12px; }
        nav { margin-top: 14px; font-size: 14px; }
        nav a { color: var(--accent); margin-right: 16px; text-decoration: none; }
        .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px 28px; margin: 0; }
        .facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
        .facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
        thead th { background: var(--panel); border-bottom: 2px solid var(--rule); font-weight: 600; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tr.group th { background: #eef3f8; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; padding-top: 8px; }
        tr.kpi:hover td { background: #fafbfc; }
        .comparison td:first-child { width: 34%; overflow-wrap: anywhere; }
        tr.significant td { font-weight: 700; }
        .mark { color: var(--accent); }
        .pm { color: var(--muted); font-weight: 400; }
        .kpi-id { display: block; color: var(--muted); font: 11.5px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-weight: 400; }
        td.name { font-weight: 600; white-space: nowrap; }
        .scenarios td { overflow-wrap: anywhere; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 8px; vertical-align: -1px; }
        .swatch-cell { width: 20px; padding-right: 0; }
        .badge { display: inline-block; margin-left: 6px; padding: 0 8px; border-radius: 10px; background: #e3eef7; color: #0b4f7a; font-size: 12px; font-weight: 600; }
        code, pre, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
        .hash { overflow-wrap: anywhere; }
        pre { background: var(--panel); border: 1px solid var(--rule); border-radius: 6px; padding: 12px 14px; overflow: auto; max-height: 520px; white-space: pre-wrap; overflow-wrap: anywhere; }
        pre.command { max-height: none; }
        pre .layer { color: var(--accent); font-weight: 600; }
        details { margin: 8px 0; }
        summary { cursor: pointer; font-weight: 600; }
        .provenance-facts { margin-top: 16px; }
        figure { margin: 18px 0 26px; }
        .grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 20px; }
        .grid figure { margin: 10px 0 16px; }
        svg.chart { display: block; max-width: 100%; height: auto; overflow: visible; font-family: inherit; }
        .c-title { font-size: 15px; font-weight: 600; fill: var(--ink); }
        .c-legend, .c-label { font-size: 12px; fill: #3d444d; }
        .c-tick, .c-axis-title { font-size: 12px; fill: var(--muted); font-variant-numeric: tabular-nums; }
        .c-grid { stroke: #e8ebef; stroke-width: 1; }
        .c-axis { stroke: #8c959f; stroke-width: 1; }
        .c-whisker { stroke: #24292f; stroke-width: 1.4; }
        .c-band { fill-opacity: .2; stroke: none; }
        .c-closure { fill-opacity: .10; stroke: none; }
        svg.map .n-flow { stroke-linejoin: round; stroke-linecap: round; }
        svg.map .n-corridor-label { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
        .c-closure-label { font-size: 11px; fill: var(--muted); font-style: italic; }
        .c-stripe { fill: #f6f8fa; }
        .c-effect { stroke: #24292f; stroke-width: .8; }
        .no-data { color: var(--muted); font-style: italic; font-weight: 400; }
        ul.summary { padding-left: 0; list-style: none; }
        ul.summary li { margin: 6px 0; max-width: 110ch; }
        .glossary td:first-child { white-space: nowrap; }
        .c-line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .n-flow { fill: none; stroke-opacity: .72; }
        .n-arrow { fill-opacity: .9; }
        .n-node { fill: var(--panel); stroke: #afb8c1; }
        .n-gate { fill: #fff; stroke: #57606a; stroke-width: 1.3; }
        .n-corridor { fill: #edf2f7; }
        .n-corridor-label { font-size: 11px; fill: var(--muted); font-style: italic; }
        .n-column { font-size: 13px; font-weight: 700; fill: var(--ink); letter-spacing: .04em; }
        .n-title { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
        .n-subtitle { font-size: 11px; fill: var(--muted); }
        .n-label { font-size: 11px; fill: var(--ink); paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
        @media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
        @media print { main { max-width: none; } pre { max-height: none; overflow: visible; } figure, tr { break-inside: avoid; } }

        """;
}
