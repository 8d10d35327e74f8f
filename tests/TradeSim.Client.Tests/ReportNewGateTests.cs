using System.Globalization;
using System.Text.RegularExpressions;
using TradeSim.Client.Batches;
using TradeSim.Client.Report;
using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>
/// The report shows every gate of every scenario (issue 11, item 4): a gate only a what-if has (a new gate) gets its
/// bars, its name from the entities the batch stored, and a place in the summary. Built from a comparison made by
/// hand, so the test needs no simulation.
/// </summary>
public sealed class ReportNewGateTests
{
    [Fact]
    public void Report_AGateOnlyTheWhatIfHas_IsCharted_NamedAndSummed()
    {
        var html = Render();

        var trucks = Regex.Match(html, "<svg [^>]*id=\"chart-gate-trucks\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Contains(">Old Gate<", trucks, StringComparison.Ordinal);
        Assert.Contains(">New Gate<", trucks, StringComparison.Ordinal);
        Assert.Contains("new-gate-opens, New Gate: 500", trucks, StringComparison.Ordinal);
        Assert.DoesNotContain("baseline, New Gate", trucks, StringComparison.Ordinal);
        Assert.Contains("new gate New Gate carries 500 trucks", html, StringComparison.Ordinal);
        Assert.Contains(">Post N (LA)<", html, StringComparison.Ordinal);
    }

    private static string Render()
    {
        var baselineEntities = Entities(("old", "Old Gate"));
        var whatIfEntities = Entities(("old", "Old Gate"), ("new", "New Gate"));
        BatchScenario[] scenarios =
        [
            new BatchScenario(0, "baseline", [new ScenarioSource("baseline.yaml", "name: baseline\n")]) { Entities = baselineEntities },
            new BatchScenario(1, "new-gate-opens", [new ScenarioSource("new.yaml", "name: new-gate-opens\n")]) { Entities = whatIfEntities },
        ];
        var record = new BatchRecord(1, DateTimeOffset.UnixEpoch, "test", BatchStatus.Complete, new BatchSpec(scenarios, 0, 1, ReplicationPolicy.Fixed(5), []), 5, 3);
        var baseline = new ScenarioOutcome(scenarios[0], true, 5, [Kpi("gate.old.trucks", 1000), Kpi("post.old.la.utilisation", 0.5)], [], []);
        var whatIf = new ScenarioOutcome(
            scenarios[1],
            false,
            5,
            [Kpi("gate.old.trucks", 600), Kpi("post.old.la.utilisation", 0.3), Kpi("gate.new.trucks", 500), Kpi("post.new.la.utilisation", 0.25)],
            [new KpiComparison("gate.old.trucks", new Difference(-400, -420, -380, -40, 5), new Difference(-400, -430, -370, -40, 5), false)],
            []);
        var comparison = new BatchComparison(record, 5, false, [baseline, whatIf], 0, []);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        HtmlReportWriter.Write(writer, comparison, "tradesim compare 1");
        return writer.ToString();
    }

    private static KpiSummary Kpi(string name, double mean) => new(name, new Summary(mean, mean * 0.01, mean * 0.99, mean * 1.01, 5));

    private static ScenarioEntities Entities(params (string Id, string Name)[] gates) => new(
        "test",
        new DateOnly(2023, 1, 1),
        30,
        7,
        [.. gates.Select(g => new GateEntity(g.Id, g.Name, "c", "main", [new PostEntity("vn", "Post V", 1), new PostEntity("la", "Post " + g.Name[0], 1)], [], null, null))],
        [],
        [],
        []);
}
