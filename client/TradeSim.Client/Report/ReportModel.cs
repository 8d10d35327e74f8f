using TradeSim.Client.Batches;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Report;

/// <summary>
/// What the report needs beyond the numbers: each scenario's parsed definition (for gate and node names, dates and
/// descriptions), the order and colour of the scenarios, and readable names for KPIs. Built from the scenario text
/// the batch stored, so a report written later names things as the batch saw them.
/// </summary>
internal sealed class ReportModel
{
    private static readonly Dictionary<string, string> MeasureNames = new(StringComparer.Ordinal)
    {
        ["trucks"] = "trucks",
        ["loaded_trucks"] = "loaded trucks",
        ["tonnes"] = "tonnes",
        ["value_usd"] = "value (USD)",
        ["hours_to_cross_mean"] = "mean hours to cross",
        ["hours_to_cross_p95"] = "95th percentile hours to cross",
        ["max_queue"] = "maximum queue (trucks)",
        ["mean_queue"] = "mean queue (trucks)",
        ["utilisation"] = "utilisation",
        ["hours_to_cross"] = "hours to cross",
        ["crossing_cost_usd"] = "crossing cost per trip (USD)",
        ["cost_per_500km_20t_usd"] = "cost per 500 km and 20 t (USD)",
        ["speed_with_delays_kmh"] = "speed with delays (km/h)",
        ["speed_without_delays_kmh"] = "speed without delays (km/h)",
        ["trade_value_usd"] = "trade value (USD)",
        ["tonnes_delivered"] = "tonnes delivered",
        ["logistics_cost_usd"] = "logistics cost (USD)",
        ["logistics_cost_per_tonne_usd"] = "logistics cost per tonne (USD)",
        ["trucks_diverted"] = "trucks diverted",
        ["border_legs"] = "border legs",
    };

    private readonly ScenarioDefinition?[] _definitions;
    private readonly List<ScenarioOutcome> _ordered;

    public ReportModel(BatchComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        Comparison = comparison;

        // The batch ran these texts, so they parse; a report of an old batch after a format change still renders,
        // with ids where names would be.
        _definitions = [.. comparison.Scenarios.Select(s => ScenarioParser.Parse(s.Scenario.Layers) is { Succeeded: true } parsed ? parsed.Definition : null)];
        _ordered = [comparison.Baseline, .. comparison.Scenarios.Where(s => !s.IsBaseline)];
        Gates = [.. _ordered.SelectMany(s => s.Kpis).Select(k => KpiName.Parse(k.Kpi)).Where(k => k.Group == "gate").Select(k => k.Entity).Distinct(StringComparer.Ordinal)];
    }

    public BatchComparison Comparison { get; }

    /// <summary>The baseline first, then the other scenarios in the order the batch gave them: the order of every legend.</summary>
    public IReadOnlyList<ScenarioOutcome> Ordered => _ordered;

    /// <summary>Gate ids in the order the baseline's KPIs list them, then any gate only another scenario has.</summary>
    public IReadOnlyList<string> Gates { get; }

    public ScenarioDefinition? BaselineDefinition => Definition(Comparison.Baseline);

    /// <summary>The first day of the statistics window, when the baseline's text says.</summary>
    public DateOnly? FirstDay => BaselineDefinition?.Settings.Start;

    public ScenarioDefinition? Definition(ScenarioOutcome scenario) => _definitions[scenario.Scenario.Position];

    public string Colour(ScenarioOutcome scenario) => ReportPalette.SeriesColour(_ordered.IndexOf(scenario));

    /// <summary>A gate's name as the baseline (or else the first scenario that has the gate) calls it; its id otherwise.</summary>
    public string GateName(string gateId) =>
        Ordered.Select(s => Definition(s)?.Gates.FirstOrDefault(g => g.Id == gateId)?.Name).FirstOrDefault(n => n is not null) ?? gateId;

    /// <summary>A KPI in words: "Nam Giang - Dak Ta Ok: mean hours to cross", "Corridor quang-nam-sekong: trucks", "Total: tonnes delivered".</summary>
    public string KpiLabel(string kpi)
    {
        var name = KpiName.Parse(kpi);
        var measure = MeasureNames.TryGetValue(name.Measure, out var words) ? words : name.Measure.Replace('_', ' ');
        return name.Group switch
        {
            "gate" => $"{GateName(name.Entity)}: {measure}",
            "corridor" => $"Corridor {name.Entity}: {measure}",
            "total" => $"Total: {measure}",
            _ => kpi,
        };
    }
}

/// <summary>
/// A KPI name taken apart: `group.entity.measure`, or `group.measure` for totals (entity empty). Ids never contain
/// dots, so splitting on them is exact.
/// </summary>
internal readonly record struct KpiName(string Group, string Entity, string Measure)
{
    public static KpiName Parse(string kpi)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        var parts = kpi.Split('.');
        return parts.Length switch
        {
            2 => new KpiName(parts[0], string.Empty, parts[1]),
            3 => new KpiName(parts[0], parts[1], parts[2]),

            // route.<flow>.<gate>.tonnes
            4 => new KpiName(parts[0], parts[1] + "." + parts[2], parts[3]),
            _ => new KpiName(string.Empty, string.Empty, kpi),
        };
    }
}
