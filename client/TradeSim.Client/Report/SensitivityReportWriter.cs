using System.Globalization;
using TradeSim.Client.Output;
using TradeSim.Client.Sensitivity;

namespace TradeSim.Client.Report;

/// <summary>
/// A sensitivity analysis as one self-contained page in the batch report's style (its stylesheet and SVG charts): per
/// KPI a tornado chart of the inputs by μ* and the ranking table, then the inputs with their ranges, and provenance.
/// </summary>
internal static class SensitivityReportWriter
{
    private const double ContentWidth = 1160;

    /// <summary>Raising the input raises the KPI on average (μ above zero): vermilion; lowers it: the report's blue.</summary>
    private static readonly (string Name, string Colour) Raises = ("raising the input raises the KPI (mu > 0)", "#D55E00");

    private static readonly (string Name, string Colour) Lowers = ("raising the input lowers the KPI (mu < 0)", ReportPalette.Baseline);

    public static void Write(TextWriter o, SensitivityResult result, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan;
        var title = $"TradeSim sensitivity, batch {result.Batch.Id}: {plan.ScenarioName}{(plan.VersusName is null ? string.Empty : " vs " + plan.VersusName)}";
        o.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        o.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        o.Write($"<title>{E(title)}</title>\n<style>\n{HtmlReportWriter.Stylesheet}</style>\n</head>\n<body>\n<main>\n");
        o.Write($"<header>\n<p class=\"eyebrow\">Which assumptions drive the answer</p>\n<h1>{E(title)}</h1>\n<dl class=\"facts\">\n");
        Fact(o, "inputs", plan.Inputs.Count.ToString(CultureInfo.InvariantCulture));
        Fact(o, "trajectories (r)", plan.Design.Trajectories.Count.ToString(CultureInfo.InvariantCulture));
        Fact(o, "levels (p)", plan.Design.GridLevels.ToString(CultureInfo.InvariantCulture));
        Fact(o, "replications per point", result.Replications.ToString(CultureInfo.InvariantCulture));
        Fact(o, "runs", plan.Runs.ToString("N0", CultureInfo.InvariantCulture));
        Fact(o, "seed", result.Batch.Spec.Seed.ToString(CultureInfo.InvariantCulture));
        Fact(o, "status", result.Batch.Status);
        o.Write("</dl>\n</header>\n");
        o.Write($"<p class=\"note\">Morris elementary effects: each of r trajectories changes every input once, by {plan.Design.Jump}/{plan.Design.GridLevels - 1} of its range, from a random point of a {plan.Design.GridLevels}-level grid. Every design point runs the same seeds (common random numbers), so an effect is a paired difference and an input that changes nothing has mu* = 0 exactly. Effects are per range: the KPI's change for moving the input from its low to its high value. The bar is mu* (mean absolute effect), on the side of mu's sign; the whisker is mu*'s {E(SensitivityWriter.IntervalMethod)}.</p>\n");
        foreach (var note in plan.Notes)
        {
            o.Write($"<p class=\"note warning\">{E(note)}</p>\n");
        }

        for (var k = 0; k < result.Kpis.Count; k++)
        {
            var kpi = result.Kpis[k];
            var response = SensitivityWriter.Response(plan, kpi.Kpi);
            o.Write($"<section id=\"kpi-{k}\">\n<h2>{E(response)}</h2>\n");
            var frame = new ChartFrame(
                $"chart-tornado-{k}",
                $"Inputs by mu* on {kpi.Kpi}",
                $"Tornado chart of the inputs' mean absolute elementary effect on {response}, largest first, with 95% intervals.",
                "mu*: change of the KPI across the input's range",
                ContentWidth,
                0);
            var bars = kpi.Ranked.Select(e => new TornadoBar(e.MuStar, e.MuStarLow, e.MuStarHigh, e.Mu)).ToList();
            o.Write($"<figure>\n{SvgChart.Tornado(frame, [.. kpi.Ranked.Select(e => e.Input.Path)], bars, Raises, Lowers)}</figure>\n");
            o.Write("<table class=\"sensitivity\">\n<thead><tr><th class=\"num\">rank</th><th>input</th><th class=\"num\">range</th><th class=\"num\">mu*</th><th class=\"num\">95% CI of mu*</th><th class=\"num\">mu</th><th class=\"num\">sigma</th><th class=\"num\">n</th></tr></thead>\n<tbody>\n");
            foreach (var e in kpi.Ranked)
            {
                var ci = double.IsFinite(e.MuStarLow) ? $"[{SensitivityWriter.Number(e.MuStarLow)}, {SensitivityWriter.Number(e.MuStarHigh)}]" : "n/a";
                o.Write(Inv($"<tr class=\"input\"><td class=\"num\">{e.Rank}</td><td><code>{E(e.Input.Path)}</code></td><td class=\"num\">{E(SensitivityInput.Format(e.Input.Low))}..{E(SensitivityInput.Format(e.Input.High))}</td><td class=\"num\">{E(SensitivityWriter.Number(e.MuStar))}</td><td class=\"num\">{E(ci)}</td><td class=\"num\">{E(SensitivityWriter.Number(e.Mu))}</td><td class=\"num\">{E(SensitivityWriter.Number(e.Sigma))}</td><td class=\"num\">{e.Effects}</td></tr>\n"));
            }

            o.Write("</tbody>\n</table>\n</section>\n");
        }

        o.Write("<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<thead><tr><th>input</th><th>file</th><th class=\"num\">value</th><th class=\"num\">low</th><th class=\"num\">high</th><th>kind</th></tr></thead>\n<tbody>\n");
        foreach (var i in plan.Inputs)
        {
            o.Write($"<tr><td><code>{E(i.Path)}</code></td><td>{E(i.File)}</td><td class=\"num\">{E(SensitivityInput.Format(i.Value))}</td><td class=\"num\">{E(SensitivityInput.Format(i.Low))}</td><td class=\"num\">{E(SensitivityInput.Format(i.High))}</td><td>{(i.Whole ? "whole, rounded" : "number")}</td></tr>\n");
        }

        o.Write("</tbody>\n</table>\n</section>\n");
        o.Write($"<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"facts provenance-facts\">\n");
        Fact(o, "engine", result.Batch.EngineVersion);
        Fact(o, "created (UTC)", result.Batch.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        o.Write($"</dl>\n<pre class=\"command\">{E(commandLine)}</pre>\n</section>\n");
        o.Write("</main>\n</body>\n</html>\n");
    }

    private static void Fact(TextWriter o, string label, string value) => o.Write($"<div><dt>{E(label)}</dt><dd>{E(value)}</dd></div>\n");

    private static string E(string? text) => ReportText.Escape(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
