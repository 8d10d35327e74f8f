using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Grains.Batches;

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

    /// <summary>The per-gate KPIs drawn as bar charts: (measure, title, axis label).</summary>
    private static readonly (string Measure, string Title, string Axis)[] GateCharts =
    [
        ("trucks", "Trucks that crossed", "trucks"),
        ("tonnes", "Tonnes that crossed", "tonnes"),
        ("hours_to_cross_mean", "Mean hours to cross", "hours"),
        ("hours_to_cross_p95", "95th percentile hours to cross", "hours"),
        ("max_queue", "Maximum queue", "trucks"),
        ("utilisation", "Utilisation (busy share of open lane-hours)", "share"),
    ];

    /// <summary>The table's groups, in order: KPIs of each group are shown when the filter takes them.</summary>
    private static readonly (string Group, string Heading, Func<KpiName, bool> Shown)[] TableGroups =
    [
        ("gate", "Gates", k => k.Measure is "trucks" or "hours_to_cross_mean"),
        ("corridor", "Corridors", _ => true),
        ("total", "Totals", _ => true),
    ];

    public static void Write(TextWriter writer, BatchComparison comparison, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(commandLine);
        var model = new ReportModel(comparison);
        var title = $"TradeSim batch {comparison.Batch.Id}: {string.Join(" vs ", model.Ordered.Select(s => s.Name))}";
        writer.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        writer.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        writer.Write($"<title>{E(title)}</title>\n<style>\n{Stylesheet}</style>\n</head>\n<body>\n<main>\n");
        WriteHeader(writer, model, title);
        WriteScenarios(writer, model);
        WriteComparison(writer, model);
        WriteGateCharts(writer, model);
        WriteDailyQueues(writer, model);
        WriteNetwork(writer, model);
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
        Fact(o, "Batch", Inv($"#{batch.Id}"));
        Fact(o, "Created", batch.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        Fact(o, "Status", batch.Status);
        Fact(o, "Replications", c.Replications == batch.PlannedReplications
            ? Inv($"{c.Replications} per scenario")
            : Inv($"{c.Replications} per scenario ({batch.PlannedReplications} planned)"));
        Fact(o, "Seed", batch.Spec.Seed.ToString(CultureInfo.InvariantCulture));
        Fact(o, "Precision", policy.Precision is { } precision
            ? Inv($"{(c.PrecisionReached ? "reached" : "not reached")}: half-width \u2264 {ReportText.Number(precision * 100, 1)}% of |mean| ({policy.MinReplications}\u2013{policy.MaxReplications} replications)")
            : "fixed number of replications");
        if (model.BaselineDefinition?.Settings is { } s)
        {
            Fact(o, "Statistics window", Inv($"{s.Start:yyyy-MM-dd} to {s.Start.AddDays(s.Days - 1):yyyy-MM-dd} ({s.Days} days after {s.WarmupDays} of warm-up)"));
        }

        o.Write("</dl>\n");
        if (batch.Status != BatchStatus.Complete)
        {
            o.Write($"<p class=\"warning\">This batch is <strong>{E(batch.Status)}</strong>: every number below uses the {c.Replications} replications finished in every scenario.</p>\n");
        }

        if (c.UnconservedRuns > 0)
        {
            o.Write(Inv($"<p class=\"warning\"><strong>{c.UnconservedRuns} run(s) did not conserve tonnes</strong>: cargo was created or lost in the simulation; treat these results with suspicion and report the scenario.</p>\n"));
        }

        o.Write("<nav><a href=\"#scenarios\">Scenarios</a> <a href=\"#comparison\">Comparison</a> <a href=\"#gates\">Gates</a> <a href=\"#queues\">Daily queues</a> <a href=\"#network\">Network</a> <a href=\"#provenance\">Provenance</a></nav>\n</header>\n");
    }

    private static void Fact(TextWriter o, string label, string value) => o.Write($"<div><dt>{E(label)}</dt><dd>{E(value)}</dd></div>\n");

    private static void WriteScenarios(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"scenarios\">\n<h2>Scenarios</h2>\n<table class=\"scenarios\">\n<thead><tr><th></th><th>Scenario</th><th>Description</th></tr></thead>\n<tbody>\n");
        foreach (var s in model.Ordered)
        {
            var role = s.IsBaseline ? " <span class=\"badge\">baseline</span>" : string.Empty;
            var description = model.Definition(s)?.Description ?? string.Empty;
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
        }

        o.Write("</section>\n");
    }

    private static void WriteComparisonTable(TextWriter o, ReportModel model, ScenarioOutcome scenario)
    {
        var baseline = model.Comparison.Baseline;
        var shown = new List<(string Heading, List<KpiComparison> Rows)>();
        var skipped = 0;
        foreach (var (group, heading, filter) in TableGroups)
        {
            var rows = new List<KpiComparison>();
            foreach (var k in scenario.VsBaseline)
            {
                var name = KpiName.Parse(k.Kpi);
                if (name.Group != group || !filter(name))
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

    private static void WriteComparisonRow(TextWriter o, ReportModel model, KpiSummary? baseline, KpiSummary? scenario, KpiComparison row)
    {
        var d = row.Paired;

        // One number of decimals per row, from the larger mean, so the row's columns line up and compare.
        var decimals = ReportText.DecimalsFor(Math.Max(Math.Abs(baseline?.Stats.Mean ?? 0), Math.Abs(scenario?.Stats.Mean ?? 0)));
        var significant = d.IsSignificant;
        var mark = !significant ? string.Empty : d.MeanDifference > 0 ? "<span class=\"mark\" title=\"significant increase\">\u25b2</span> " : "<span class=\"mark\" title=\"significant decrease\">\u25bc</span> ";
        o.Write($"<tr class=\"kpi{(significant ? " significant" : string.Empty)}\"><td>{E(model.KpiLabel(row.Kpi))}<span class=\"kpi-id\">{E(row.Kpi)}</span></td>");
        o.Write($"<td class=\"num\">{MeanAndHalfWidth(baseline, decimals)}</td><td class=\"num\">{MeanAndHalfWidth(scenario, decimals)}</td>");
        o.Write($"<td class=\"num\">{mark}{E(ReportText.Signed(d.MeanDifference, decimals))}</td>");
        o.Write($"<td class=\"num\">{E(ReportText.Signed(d.CiLow, decimals))} to {E(ReportText.Signed(d.CiHigh, decimals))}</td>");
        o.Write($"<td class=\"num\">{E(ReportText.Percent(d.Percent))}</td></tr>\n");
    }

    private static string MeanAndHalfWidth(KpiSummary? kpi, int decimals) =>
        kpi is null
            ? ReportText.NotAvailable
            : $"{E(ReportText.Number(kpi.Stats.Mean, decimals))} <span class=\"pm\">\u00b1 {E(ReportText.Number(kpi.Stats.HalfWidth, decimals))}</span>";

    private static void WriteGateCharts(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"gates\">\n<h2>Gates</h2>\n");
        o.Write("<p class=\"note\">One bar per scenario at each gate: the mean over replications; the whiskers span the 95% confidence interval of that mean.</p>\n");
        var categories = model.Gates.Select(model.GateName).ToList();
        foreach (var (measure, title, axis) in GateCharts)
        {
            var series = model.Ordered.Select(s => new BarSeries(
                s.Name,
                model.Colour(s),
                [.. model.Gates.Select(g => s.Kpi($"gate.{g}.{measure}") is { } k ? new BarValue(k.Stats.Mean, k.Stats.CiLow, k.Stats.CiHigh) : (BarValue?)null)])).ToList();
            var frame = new ChartFrame(
                $"chart-gate-{measure.Replace('_', '-')}",
                title,
                $"Bar chart of {title.ToLowerInvariant()} at each gate, one bar per scenario ({string.Join(", ", model.Ordered.Select(s => s.Name))}), with 95% confidence intervals as whiskers.",
                axis,
                ContentWidth,
                340,
                NonNegative: true);
            o.Write($"<figure>\n{SvgChart.GroupedBars(frame, categories, series)}</figure>\n");
        }

        o.Write("</section>\n");
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

        o.Write("<p class=\"note\">Mean number of trucks queued at a gate's two posts, day by day: the line is the mean over replications, the shaded band spans the 10th to 90th percentile of the replications. Gates that never had a queue are left out; a scenario whose queue at a gate is the baseline's, day for day, is named under its chart rather than drawn over it.</p>\n<div class=\"grid\">\n");
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
            o.Write($"<figure>\n{SvgChart.BandedLines(frame, model.FirstDay, series)}{same}</figure>\n");
        }

        o.Write("</div>\n</section>\n");
    }

    private static void WriteNetwork(TextWriter o, ReportModel model)
    {
        o.Write("<section id=\"network\">\n<h2>Network and baseline flows</h2>\n");
        var baseline = model.Comparison.Baseline;
        if (model.BaselineDefinition is not { } definition)
        {
            o.Write("<p class=\"warning\">The baseline's stored scenario text no longer parses, so the network cannot be drawn.</p>\n</section>\n");
            return;
        }

        var volumes = baseline.Kpis
            .Select(k => (Name: KpiName.Parse(k.Kpi), k.Stats.Mean))
            .Where(k => k.Name.Group == "route" && k.Name.Measure == "tonnes")
            .Select(k =>
            {
                var ids = k.Name.Entity.Split('.');
                return new RouteVolume(ids[0], ids[1] == "_direct" ? null : ids[1], k.Mean);
            })
            .ToList();
        var idle = definition.Flows.Where(f => !volumes.Any(v => v.Flow == f.Id && v.Tonnes > 0)).Select(f => f.Id).ToList();
        var settings = definition.Settings;
        o.Write($"<p class=\"note\">{E(baseline.Name)}: mean tonnes delivered along each route (origin, gate, destination) over the {settings.Days.ToString(CultureInfo.InvariantCulture)}-day statistics window from {settings.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}. Band widths are proportional to tonnes; colours are commodities; arrowheads point at destinations.");
        if (idle.Count > 0)
        {
            o.Write($" Flows that delivered nothing: {E(string.Join(", ", idle))}.");
        }

        o.Write("</p>\n");
        o.Write($"<figure>\n{NetworkSchematic.Draw("chart-network", definition, volumes, ContentWidth)}</figure>\n</section>\n");
    }

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
    private const string Stylesheet =
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
