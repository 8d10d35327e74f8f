using System.Text.RegularExpressions;
using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// The KPI catalogue: every measure declared once and read from the result it names, "no data" where a run could not
/// measure, names that parse back to their measure, and no second list of KPI names anywhere in the product code.
/// </summary>
public class KpiCatalogueTests
{
    [Fact]
    public void Extract_BaselineRun_ListsEveryMeasureOfEveryEntityOnce_InCatalogueOrder()
    {
        var run = BaselineRuns.BaselineSeed1;

        var kpis = KpiCatalogue.Extract(run);

        var posts = run.Gates.Sum(g => g.Posts.Count);
        var routes = run.Flows.Sum(f => f.TonnesByGate.Count);
        Assert.Equal(
            (run.Gates.Count * KpiCatalogue.Gate.Count) + (posts * KpiCatalogue.Post.Count) + (run.Corridors.Count * KpiCatalogue.Corridor.Count)
            + KpiCatalogue.Total.Count + (run.Flows.Count * KpiCatalogue.Flow.Count) + (routes * KpiCatalogue.Route.Count) + (run.Fleets.Count * KpiCatalogue.Fleet.Count),
            kpis.Count);
        Assert.Equal(kpis.Count, kpis.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            kpis.Select(k => k.Name),
            kpis.Select(k => k.Name).OrderBy(n => KpiGroupOrder(n)));
    }

    [Fact]
    public void Extract_BaselineRun_ReadsEachMeasureFromItsResult()
    {
        var run = BaselineRuns.BaselineSeed1;
        var kpis = KpiCatalogue.Extract(run).ToDictionary(k => k.Name, k => k.Value, StringComparer.Ordinal);
        var bo = run.Gates.Single(g => g.Id == "bo-y");
        var corridor = run.Corridors.Single(c => c.Id == "quang-nam-sekong");

        Assert.Equal(bo.Trucks, kpis["gate.bo-y.trucks"]);
        Assert.Equal(bo.MeanHoursToCross, kpis["gate.bo-y.hours_to_cross_mean"]);
        Assert.Equal(bo.Posts.Sum(p => p.MeanQueueLength), kpis["gate.bo-y.mean_queue"]);
        Assert.Equal(bo.ArrivalDispersion, kpis["gate.bo-y.arrival_dispersion"]);
        Assert.Equal(bo.Posts[1].Utilisation, kpis[$"post.bo-y.{bo.Posts[1].Country}.utilisation"]);
        Assert.Equal(bo.Posts[0].MeanWaitHours, kpis[$"post.bo-y.{bo.Posts[0].Country}.wait_hours_mean"]);
        Assert.Equal(corridor.Trips.HoursToCross, kpis["corridor.quang-nam-sekong.hours_to_cross"]);
        Assert.Equal(corridor.MeanHoursToCross, kpis["corridor.quang-nam-sekong.hours_to_cross_mean"]);
        Assert.Equal(run.Commodities.Sum(c => c.DeliveredValueUsd), kpis["total.trade_value_usd"]);
    }

    [Fact]
    public void Extract_AGateNoTruckCrossed_HasNoDataForItsCrossingTimes_ButCountsZeroTrucks()
    {
        // Si Choang is closed for the whole baseline window: no truck crossed, so there is no time to cross (not 0 h).
        var kpis = KpiCatalogue.Extract(BaselineRuns.BaselineSeed1).ToDictionary(k => k.Name, k => k.Value, StringComparer.Ordinal);

        Assert.Equal(0, kpis["gate.si-choang.trucks"]);
        Assert.True(double.IsNaN(kpis["gate.si-choang.hours_to_cross_mean"]));
        Assert.True(double.IsNaN(kpis["gate.si-choang.hours_to_cross_p95"]));
        Assert.True(double.IsNaN(kpis["gate.si-choang.arrival_dispersion"]));

        // Every gate: crossing times exactly when trucks crossed; counts, tonnes and queues always.
        foreach (var gate in BaselineRuns.BaselineSeed1.Gates)
        {
            Assert.Equal(gate.Trucks == 0, double.IsNaN(kpis[$"gate.{gate.Id}.hours_to_cross_mean"]));
            Assert.Equal(gate.Trucks == 0, double.IsNaN(kpis[$"gate.{gate.Id}.arrival_dispersion"]));
            Assert.False(double.IsNaN(kpis[$"gate.{gate.Id}.trucks"]));
            Assert.False(double.IsNaN(kpis[$"gate.{gate.Id}.max_queue"]));
        }
    }

    [Fact]
    public void Find_EveryExtractedName_ParsesBackToItsMeasureAndEntity()
    {
        foreach (var kpi in KpiCatalogue.Extract(BaselineRuns.BaselineSeed1))
        {
            var (measure, entity) = KpiCatalogue.Find(kpi.Name) ?? throw new Xunit.Sdk.XunitException($"{kpi.Name} is not found");
            Assert.Equal(kpi.Name, measure.NameFor(entity));
        }

        Assert.Null(KpiCatalogue.Find("gate.nam-giang.no_such_measure"));
        Assert.Null(KpiCatalogue.Find("gate.trucks"));
        Assert.Null(KpiCatalogue.Find("lorry.a.trucks"));
        Assert.Equal("post.nam-giang.vn.utilisation", KpiCatalogue.Find("post.nam-giang.vn.utilisation")!.Value.Measure.NameFor("nam-giang.vn"));
    }

    [Fact]
    public void Catalogue_MeasuresAreUnique_AndEachHasAUnitALabelAndADescription()
    {
        Assert.Equal(KpiCatalogue.All.Count, KpiCatalogue.All.Select(m => m.Pattern).Distinct(StringComparer.Ordinal).Count());
        Assert.All(KpiCatalogue.All, m =>
        {
            Assert.Matches("^[a-z0-9_]+$", m.Measure);
            Assert.False(string.IsNullOrWhiteSpace(m.Unit), m.Pattern);
            Assert.False(string.IsNullOrWhiteSpace(m.Label), m.Pattern);
            Assert.True(m.Description.Length > 20, m.Pattern);
        });
        Assert.Equal(
            ["gate.G.trucks", "corridor.C.hours_to_cross", "total.trade_value_usd", "total.logistics_cost_per_tonne_usd"],
            KpiCatalogue.All.Where(m => m.Headline).Select(m => m.Pattern));
    }

    [Fact]
    public void TrafficKpiOf_NamesTheTruckCountOfTheKpisGateOrCorridor()
    {
        Assert.Equal("gate.bo-y.trucks", KpiCatalogue.TrafficKpiOf("gate.bo-y.hours_to_cross_p95"));
        Assert.Equal("gate.bo-y.trucks", KpiCatalogue.TrafficKpiOf("post.bo-y.la.utilisation"));
        Assert.Equal("corridor.c.trucks", KpiCatalogue.TrafficKpiOf("corridor.c.hours_to_cross"));
        Assert.Null(KpiCatalogue.TrafficKpiOf("total.trade_value_usd"));
        Assert.Null(KpiCatalogue.TrafficKpiOf("route.f.g.tonnes"));
    }

    /// <summary>
    /// The vocabulary lives in one place: no product source file but the catalogue's spells a KPI name, neither as
    /// a measure on its own ("hours_to_cross_mean") nor inside a name ("gate.{g}.trucks"). Prose mentioning trucks
    /// or tonnes is fine; a string that is exactly a measure name, or ends ".measure", is a second list.
    /// </summary>
    [Fact]
    public void ProductCode_SpellsNoKpiNameOutsideTheCatalogue()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TradeSim.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TradeSim.sln not found above the tests");
        }

        var measures = KpiCatalogue.All.Select(m => m.Measure).Distinct(StringComparer.Ordinal).ToList();
        var literal = new Regex("\"(?<text>(?:[^\"\\\\\\n]|\\\\.)*)\"", RegexOptions.CultureInvariant);
        var offences = new List<string>();
        foreach (var file in new[] { "grains", "silo", "client" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories)))
        {
            // The scenario format has its own keys (a fleet's `trucks:`, a calibration target's `tonnes` metric):
            // they name inputs, not KPIs.
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}Scenarios{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || Path.GetFileName(file) == "KpiCatalogue.cs")
            {
                continue;
            }

            foreach (Match m in literal.Matches(File.ReadAllText(file)))
            {
                var text = m.Groups["text"].Value;
                if (measures.Any(measure => text == measure || text.EndsWith("." + measure, StringComparison.Ordinal)))
                {
                    offences.Add($"{Path.GetRelativePath(root, file)}: \"{text}\"");
                }
            }
        }

        Assert.True(offences.Count == 0, "KPI names spelt outside the catalogue:\n" + string.Join("\n", offences));
    }

    /// <summary>Gates, posts, corridors, totals, then each flow followed by its routes.</summary>
    private static int KpiGroupOrder(string name) => Math.Min((int)KpiCatalogue.Find(name)!.Value.Measure.Group, (int)KpiGroup.Flow);
}
