using TradeSim.Client.Batches;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;

namespace TradeSim.Client.Report;

/// <summary>
/// What the report needs beyond the numbers: each scenario's entities as the batch stored them (gate, post and node
/// names, closures, coordinates, the window), the order and colour of the scenarios, and KPI labels from the
/// catalogue.
/// </summary>
internal sealed class ReportModel
{
    private readonly List<ScenarioOutcome> _ordered;

    public ReportModel(BatchComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        Comparison = comparison;
        _ordered = [comparison.Baseline, .. comparison.Scenarios.Where(s => !s.IsBaseline)];
        Gates = EntitiesOf(KpiGroup.Gate);
        Posts = EntitiesOf(KpiGroup.Post);
    }

    public BatchComparison Comparison { get; }

    /// <summary>The baseline first, then the other scenarios in the order the batch gave them: the order of every legend.</summary>
    public IReadOnlyList<ScenarioOutcome> Ordered => _ordered;

    /// <summary>Gate ids in the order the baseline's KPIs list them, then any gate only another scenario has (a new gate).</summary>
    public IReadOnlyList<string> Gates { get; }

    /// <summary>Posts ("gate.country") in the same order.</summary>
    public IReadOnlyList<string> Posts { get; }

    public ScenarioEntities BaselineEntities => Entities(Comparison.Baseline);

    /// <summary>The first day of the statistics window.</summary>
    public DateOnly FirstDay => BaselineEntities.Start;

    public ScenarioEntities Entities(ScenarioOutcome scenario) => scenario.Scenario.Entities;

    public string Colour(ScenarioOutcome scenario) => ReportPalette.SeriesColour(_ordered.IndexOf(scenario));

    /// <summary>A gate's name as the baseline (or else the first scenario that has the gate) calls it; its id otherwise.</summary>
    public string GateName(string gateId) => EntityName(KpiGroup.Gate, gateId);

    /// <summary>A post's name with its country: "Dak Ta Ok (LA)".</summary>
    public string PostName(string post) => EntityName(KpiGroup.Post, post);

    /// <summary>A KPI in words: "Nam Giang - Dak Ta Ok: mean hours to cross", "Corridor quang-nam-sekong: hours to cross (CAREC)", "Total: tonnes delivered".</summary>
    public string KpiLabel(string kpi)
    {
        if (KpiCatalogue.Find(kpi) is not var (measure, entity))
        {
            return kpi;
        }

        return measure.Group switch
        {
            KpiGroup.Gate or KpiGroup.Post => $"{EntityName(measure.Group, entity)}: {measure.Label}",
            KpiGroup.Corridor => $"Corridor {entity}: {measure.Label}",
            KpiGroup.Total => $"Total: {measure.Label}",
            KpiGroup.Flow => $"Flow {entity}: {measure.Label}",
            KpiGroup.Fleet => $"Fleet {entity}: {measure.Label}",
            _ => $"Route {entity.Replace(".", " via ", StringComparison.Ordinal)}: {measure.Label}",
        };
    }

    /// <summary>The catalogue measure of a KPI, or null for a name the catalogue does not declare (a batch of an older engine).</summary>
    public static KpiMeasure? Measure(string kpi) => KpiCatalogue.Find(kpi)?.Measure;

    private string EntityName(KpiGroup group, string entity) =>
        Ordered.Select(s => Entities(s).EntityName(group, entity)).FirstOrDefault(n => n is not null) ?? entity;

    private List<string> EntitiesOf(KpiGroup group) =>
        [.. _ordered.SelectMany(s => s.Kpis).Select(k => KpiCatalogue.Find(k.Kpi)).Where(k => k?.Measure.Group == group).Select(k => k!.Value.Entity).Distinct(StringComparer.Ordinal)];
}
