using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using TradeSim.Client.Batches;
using TradeSim.Client.Report;
using TradeSim.Client.Scenarios;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Storage;

namespace TradeSim.Client.Tests;

/// <summary>
/// A real, small batch (baseline and nam-giang-upgrade, 3 replications of 60 days) run on the embedded silo and
/// kept in a SQLite store, exactly as a batch command would, and its HTML report. Built once for the test class.
/// Both scenarios carry a hostile layer: a description and a gate name that would run script if not escaped.
/// </summary>
public sealed class HtmlReportFixture : IDisposable
{
    public const string Hostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";

    public const string CommandLine = "tradesim batch baseline nam-giang-upgrade --replications 3 --seed 7 --report report.html";

    /// <summary>The gate the hostile layer renames: the upgrade changes its traffic, so its name shows in the table, charts and schematic.</summary>
    public const string RenamedGate = "nam-giang";

    private readonly TempDirectoryFixture _temp = new();

    public HtmlReportFixture()
    {
        var shortRun = new ScenarioSource("short.yaml", "settings:\n  days: 60\n  warmup_days: 7\n");
        var hostile = new ScenarioSource(
            "hostile.yaml",
            $"description: \"{Hostile}\"\ngates:\n  {RenamedGate}:\n    name: \"{Hostile}\"\n");
        var scenarios = new[] { "baseline", "nam-giang-upgrade" }.Select((name, position) =>
        {
            var errors = new List<ScenarioError>();
            var file = ScenarioFiles.Load(name, errors);
            Assert.True(file is not null, string.Join('\n', errors));
            return new BatchScenario(position, name, [.. file.Layers, shortRun, hostile]);
        }).ToList();
        var spec = new BatchSpec(scenarios, BaselinePosition: 0, Seed: 7, ReplicationPolicy.Fixed(3), ["--replications", "3", "--seed", "7"]);

        Directory = _temp.NewDirectory("html-report");
        using var store = SqliteResultStore.Open(Path.Combine(Directory, "tradesim.db"), create: true);
        var (batchId, progress) = EmbeddedBatch.Run(store, spec, Environment.ProcessorCount);
        Assert.Equal((BatchStatus.Complete, 6), (progress.Status, progress.Done));
        Comparison = BatchComparison.Build(store, batchId);

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReportWriter.Write(writer, Comparison, CommandLine);
        Html = writer.ToString();
        ReportPath = Path.Combine(Directory, "report.html");
        File.WriteAllText(ReportPath, Html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    public string Directory { get; }

    internal BatchComparison Comparison { get; }

    public string Html { get; }

    public string ReportPath { get; }

    /// <summary>Gates with a queue above zero on some day in some scenario: each should get a daily-queue chart.</summary>
    public IReadOnlyList<string> QueuedGates =>
        [.. Comparison.Scenarios.SelectMany(s => s.DailyQueues).Where(q => q.Mean.Any(v => v > 0) || q.High.Any(v => v > 0)).Select(q => q.Gate).Distinct(StringComparer.Ordinal)];

    /// <summary>Charted gate and post measures of the catalogue.</summary>
    public static int GateCharts => KpiCatalogue.Gate.Count(m => m.Chart == KpiChart.Bars);

    public static int PostCharts => KpiCatalogue.Post.Count(m => m.Chart == KpiChart.Bars);

    /// <summary>(scenario, headline KPI) pairs with an effect in percent: the forest plot's points.</summary>
    internal IReadOnlyList<KpiComparison> ForestEffects =>
        [.. Comparison.Scenarios.Where(s => !s.IsBaseline).SelectMany(s => s.VsBaseline).Where(k => KpiCatalogue.IsHeadline(k.Kpi) && double.IsFinite(k.Paired.Percent))];

    /// <summary>Gates some truck crossed in some scenario: each gets a chart of its hours-to-cross split.</summary>
    public IReadOnlyList<string> CrossedGates =>
        [.. Comparison.Scenarios.SelectMany(s => s.Kpis).Where(k => k.Kpi.EndsWith(".opening_wait_hours_mean", StringComparison.Ordinal) && k.Kpi.StartsWith("gate.", StringComparison.Ordinal) && k.Stats.N > 0).Select(k => k.Kpi.Split('.')[1]).Distinct(StringComparer.Ordinal)];

    /// <summary>One chart per charted gate and post measure, one per queued gate, one split per crossed gate, the forest plot, the map and the flows schematic.</summary>
    public int ExpectedCharts => GateCharts + PostCharts + QueuedGates.Count + CrossedGates.Count + (ForestEffects.Count > 0 ? 1 : 0) + 2;

    /// <summary>The table's comparisons of the one non-baseline scenario: headline and charted KPIs of gates, corridors and totals, and every fleet KPI.</summary>
    internal IReadOnlyList<KpiComparison> HeadlineComparisons =>
        [.. Comparison.Scenarios.Single(s => !s.IsBaseline).VsBaseline.Where(k =>
            KpiCatalogue.Find(k.Kpi) is { Measure: { Group: KpiGroup.Gate or KpiGroup.Corridor or KpiGroup.Total or KpiGroup.Fleet } m } && (m.Headline || m.Chart == KpiChart.Bars || m.Group == KpiGroup.Fleet))];

    public void Dispose() => _temp.Dispose();
}

public sealed partial class HtmlReportTests(HtmlReportFixture report) : IClassFixture<HtmlReportFixture>
{
    private string Html => report.Html;

    [Fact]
    public void HtmlReport_is_self_contained_without_script_or_external_url()
    {
        Assert.StartsWith("<!DOCTYPE html>", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=\"", Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HtmlReport_escapes_text_from_scenario_files()
    {
        Assert.Equal(3, report.Comparison.Replications);
        Assert.DoesNotContain("<img", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(HtmlReportFixture.Hostile, Html, StringComparison.Ordinal);

        // Escaped, the text shows in the scenario list (description), the comparison table (gate name) and the scenario text.
        var escaped = WebUtility.HtmlEncode(HtmlReportFixture.Hostile);
        Assert.True(Count(Html, escaped) >= 3, $"expected the escaped hostile text at least three times, found {Count(Html, escaped)}");
        Assert.Contains(WebUtility.HtmlEncode(HtmlReportFixture.Hostile + ": trucks that crossed"), Html, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_has_one_svg_per_chart()
    {
        Assert.NotEmpty(report.QueuedGates);
        Assert.Equal(report.ExpectedCharts, Count(Html, "<svg"));
        Assert.Equal(report.ExpectedCharts, Count(Html, "</svg>"));
        Assert.Equal(HtmlReportFixture.GateCharts, Count(Html, "<svg class=\"chart\" id=\"chart-gate-"));
        Assert.Equal(HtmlReportFixture.PostCharts, Count(Html, "<svg class=\"chart\" id=\"chart-post-"));
        Assert.Single(Regex.Matches(Html, "<svg [^>]*id=\"chart-forest\""));
        Assert.Single(Regex.Matches(Html, "<svg [^>]*id=\"chart-map\""));
        Assert.Equal(report.QueuedGates.Count, Count(Html, "<svg class=\"chart\" id=\"chart-queue-"));
        Assert.Single(Regex.Matches(Html, "<svg [^>]*id=\"chart-network\""));

        // Every chart names itself for screen readers.
        Assert.Equal(report.ExpectedCharts, Regex.Matches(Html, "<svg [^>]*role=\"img\" aria-labelledby=\"[^\"]+-title [^\"]+-desc\"").Count);
    }

    [Fact]
    public void HtmlReport_daily_queue_draws_a_scenario_only_where_it_differs_from_the_baseline()
    {
        // The upgrade changes Nam Giang; at gates it does not reach, its daily queue is the baseline's day for day.
        var upgrade = report.Comparison.Scenarios.Single(s => !s.IsBaseline);
        var baseline = report.Comparison.Baseline;
        bool Same(string gate) =>
            upgrade.DailyQueues.Single(q => q.Gate == gate) is var a
            && baseline.DailyQueues.Single(q => q.Gate == gate) is var b
            && a.Mean.SequenceEqual(b.Mean) && a.Low.SequenceEqual(b.Low) && a.High.SequenceEqual(b.High);
        var same = report.QueuedGates.Where(Same).ToList();
        var differ = report.QueuedGates.Where(g => !Same(g)).ToList();
        Assert.NotEmpty(same);
        Assert.Contains(HtmlReportFixture.RenamedGate, differ);

        foreach (var gate in report.QueuedGates)
        {
            var figure = Regex.Match(Html, $"<figure>\\n<svg class=\"chart\" id=\"chart-queue-{gate}\".*?</figure>", RegexOptions.Singleline).Value;
            Assert.NotEmpty(figure);
            var drawn = figure[..figure.IndexOf("</svg>", StringComparison.Ordinal)].Contains($">{upgrade.Name}<", StringComparison.Ordinal);
            Assert.True(drawn == differ.Contains(gate), $"{gate}: drawn {drawn}, differs {differ.Contains(gate)}");
            Assert.Equal(same.Contains(gate), figure.Contains("class=\"note same-as-baseline\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void HtmlReport_table_shows_changed_headline_kpis_and_counts_the_rest()
    {
        var headline = report.HeadlineComparisons;
        var changed = headline.Count(k => !k.UnchangedInEveryReplication);
        var unchanged = headline.Count - changed;
        Assert.True(changed > 0, "the upgrade changed no headline KPI");
        Assert.Equal(changed, KpiRows().Count);
        Assert.Contains(
            unchanged == 0 ? "Every headline KPI changed" : $"{unchanged} headline KPI{(unchanged == 1 ? " is" : "s are")} not shown",
            Html,
            StringComparison.Ordinal);

        // Significant rows are bold with an arrow; the others have none.
        var significant = headline.Count(k => !k.UnchangedInEveryReplication && k.Paired.IsSignificant);
        Assert.Equal(significant, Count(Html, "<tr class=\"kpi significant\">"));
        Assert.Equal(significant, Count(Html, "<span class=\"mark\""));
    }

    [Fact]
    public void HtmlReport_summary_names_each_what_ifs_largest_significant_effect()
    {
        var upgrade = report.Comparison.Scenarios.Single(s => !s.IsBaseline);
        var largest = upgrade.VsBaseline
            .Where(k => k.Paired.IsSignificant && double.IsFinite(k.Paired.Percent) && report.HeadlineComparisons.Contains(k))
            .OrderByDescending(k => Math.Abs(k.Paired.Percent))
            .ThenBy(k => k.Kpi, StringComparer.Ordinal)
            .First();
        var summary = Html[Html.IndexOf("<section id=\"summary\">", StringComparison.Ordinal)..Html.IndexOf("<section id=\"scenarios\">", StringComparison.Ordinal)];

        var item = Assert.Single(Regex.Matches(summary, "<li>.*?</li>", RegexOptions.Singleline)).Value;
        Assert.Contains($"<strong>{upgrade.Name}</strong>", item, StringComparison.Ordinal);
        var measure = KpiCatalogue.Find(largest.Kpi)!.Value.Measure;
        Assert.Contains($"{measure.Label} {(largest.Paired.MeanDifference < 0 ? "falls" : "rises")} {ReportText.Number(Math.Abs(largest.Paired.Percent), 1)}%", item, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_forest_plot_has_a_point_per_scenario_and_headline_kpi_with_a_percent()
    {
        var forest = Regex.Match(Html, "<svg [^>]*id=\"chart-forest\".*?</svg>", RegexOptions.Singleline).Value;

        Assert.NotEmpty(report.ForestEffects);
        Assert.Equal(report.ForestEffects.Count, Count(forest, "class=\"c-effect\""));
        foreach (var k in report.ForestEffects)
        {
            Assert.Contains($"{ReportText.Signed(k.Paired.Percent, 1)}%", forest, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HtmlReport_glossary_describes_every_measure_shown_from_the_catalogue()
    {
        var glossary = Html[Html.IndexOf("<section id=\"glossary\">", StringComparison.Ordinal)..Html.IndexOf("<section id=\"provenance\">", StringComparison.Ordinal)];
        var shown = report.Comparison.Scenarios.SelectMany(s => s.Kpis).Select(k => KpiCatalogue.Find(k.Kpi)!.Value.Measure).Distinct().ToList();

        Assert.Equal(shown.Count, Count(glossary, "<tr id=\"kpi-"));
        foreach (var m in shown)
        {
            Assert.Contains($"<code>{m.Pattern}</code>", glossary, StringComparison.Ordinal);
            Assert.Contains(WebUtility.HtmlEncode(m.Description), glossary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HtmlReport_hours_split_stacks_the_four_wco_parts_to_the_mean_hours_to_cross()
    {
        Assert.NotEmpty(report.CrossedGates);
        Assert.Equal(report.CrossedGates.Count, Count(Html, "<svg class=\"chart\" id=\"chart-split-"));
        var baseline = report.Comparison.Baseline;
        var chart = Regex.Match(Html, "<svg [^>]*id=\"chart-split-bo-y\".*?</svg>", RegexOptions.Singleline).Value;
        var total = baseline.Kpi("gate.bo-y.hours_to_cross_mean")!.Stats.Mean;

        // Four parts per scenario bar, each tooltip "of T h" with T the mean hours to cross.
        Assert.Equal(4 * report.Comparison.Scenarios.Count, Count(chart, "class=\"c-bar\""));
        Assert.Contains($"of {ReportText.Number(total, 2)} h)", chart, StringComparison.Ordinal);
        Assert.Contains("baseline, Waiting for opening: ", chart, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_a_kpi_without_data_reads_no_data_never_zero()
    {
        // Si Choang is closed for the whole baseline window: no truck crosses it, so it has no crossing time.
        var baseline = report.Comparison.Baseline;
        Assert.Equal(0, baseline.Kpi("gate.si-choang.trucks")!.Stats.Mean);
        Assert.Equal(0, baseline.Kpi("gate.si-choang.hours_to_cross_mean")!.Stats.N);
        Assert.True(double.IsNaN(baseline.Kpi("gate.si-choang.hours_to_cross_mean")!.Stats.Mean));

        // Its trucks chart has a bar of 0; its crossing-time chart has no bar at all (a bar's tooltip names the gate).
        string Chart(string id) => Regex.Match(Html, $"<svg [^>]*id=\"{id}\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Contains("Si Choang - Den Suoi Thang: 0 (95% CI", Chart("chart-gate-trucks"), StringComparison.Ordinal);
        Assert.DoesNotContain("Si Choang - Den Suoi Thang: ", Chart("chart-gate-hours-to-cross-mean"), StringComparison.Ordinal);
        Assert.Contains("Bo Y - Phu Cua: ", Chart("chart-gate-hours-to-cross-mean"), StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_provenance_lists_every_hash_layer_and_the_command_line()
    {
        var provenance = Html[Html.IndexOf("<section id=\"provenance\">", StringComparison.Ordinal)..];
        foreach (var scenario in report.Comparison.Scenarios)
        {
            Assert.Contains(scenario.Scenario.Hash, provenance, StringComparison.Ordinal);
            foreach (var layer in scenario.Scenario.Layers)
            {
                Assert.Contains($"<code>{WebUtility.HtmlEncode(layer.Name)}</code>", provenance, StringComparison.Ordinal);
            }
        }

        Assert.Equal(report.Comparison.Scenarios.Count, Count(provenance, "<details>"));
        Assert.Contains(WebUtility.HtmlEncode(HtmlReportFixture.CommandLine), provenance, StringComparison.Ordinal);
        Assert.Contains($".NET {Environment.Version}", provenance, StringComparison.Ordinal);
        Assert.Contains(report.Comparison.Batch.EngineVersion, provenance, StringComparison.Ordinal);
        Assert.Contains("<code>--seed</code> <code>7</code>", provenance, StringComparison.Ordinal);

        // The full text of every layer is there, escaped (the bundled baseline's flows, for one).
        Assert.Contains(WebUtility.HtmlEncode("bauxite-transit:"), provenance, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_in_chromium_keeps_its_charts_rows_and_title()
    {
        var dom = Chromium.DumpDom(report.ReportPath, Path.Combine(report.Directory, "profile-dom"));
        Assert.Equal(report.ExpectedCharts, Count(dom, "<svg"));
        Assert.Equal(KpiRows().Count, Regex.Matches(dom, "<tr class=\"kpi( significant)?\">").Count);

        // Had the hostile text run, the title would read "pwned" and an <img> element would exist.
        var title = DocumentTitle(Html);
        Assert.StartsWith("TradeSim batch ", title, StringComparison.Ordinal);
        Assert.Equal(title, DocumentTitle(dom));
        Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HtmlReport_in_chromium_renders_the_charts()
    {
        var png = Path.Combine(report.Directory, "report.png");
        var image = Chromium.Screenshot(report.ReportPath, png, 1280, 4000, Path.Combine(report.Directory, "profile-screenshot"));
        Assert.Equal(1280, image.Width);
        Assert.Equal(4000, image.Height);

        // The baseline's bars are solid baseline blue; six bar charts of 7 gates make thousands of such pixels.
        var blue = image.CountColour(ReportPalette.Baseline);
        Assert.True(blue > 5000, $"expected the baseline's bars (colour {ReportPalette.Baseline}) in the screenshot, found {blue} pixels of it; screenshot: {png}");

        // And the page is not blank: most of it is white, but not all.
        var white = image.CountColour("#FFFFFF", 0);
        Assert.InRange(white, image.Width * image.Height / 4, (image.Width * image.Height) - 1);
    }

    [Theory]
    [InlineData(0, 4_123, "0,1000,2000,3000,4000,5000")]
    [InlineData(0, 0.83, "0,0.2,0.4,0.6,0.8,1")]
    [InlineData(0, 0, "0,0.2,0.4,0.6,0.8,1")]
    [InlineData(-37, 12, "-40,-30,-20,-10,0,10,20")]
    [InlineData(0, 2_400_000, "0,500000,1000000,1500000,2000000,2500000")]
    public void HtmlReport_axis_ticks_are_round_numbers(double low, double high, string expected)
    {
        var scale = AxisScale.Covering(low, high);
        Assert.Equal(expected, string.Join(',', scale.Ticks.Select(t => t.ToString(CultureInfo.InvariantCulture))));
        Assert.True(scale.Min <= low && scale.Max >= high, $"{scale} does not cover {low}..{high}");
    }

    [Fact]
    public void HtmlReport_axis_labels_use_separators_and_short_millions()
    {
        Assert.Equal("150,000", AxisScale.Covering(0, 160_000).Label(150_000));
        Assert.Equal("1.5M", AxisScale.Covering(0, 2_400_000).Label(1_500_000));
        Assert.Equal("0.4", AxisScale.Covering(0, 0.83).Label(0.4));
        Assert.Equal("\u221220", AxisScale.Covering(-37, 12).Label(-20));
    }

    private List<string> KpiRows() => [.. Regex.Matches(Html, "<tr class=\"kpi( significant)?\">").Select(m => m.Value)];

    private static int Count(string text, string fragment)
    {
        var count = 0;
        for (var at = text.IndexOf(fragment, StringComparison.Ordinal); at >= 0; at = text.IndexOf(fragment, at + fragment.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>The document's title: the first &lt;title&gt; in &lt;head&gt; (the charts' own titles come later).</summary>
    private static string DocumentTitle(string html)
    {
        var match = HeadTitle().Match(html);
        Assert.True(match.Success, "no <title> in <head>");
        return WebUtility.HtmlDecode(match.Groups["title"].Value);
    }

    [GeneratedRegex("<head>.*?<title>(?<title>.*?)</title>", RegexOptions.Singleline)]
    private static partial Regex HeadTitle();
}
