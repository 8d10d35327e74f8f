using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// A two-node network for fleet tests, deterministic (travel, handling, service and daily cv are all 0, posts open
/// all day with far more lanes than trucks): one carrier, "haulers", at home in A (vn), and gate g between A and B
/// (la), 60 km at 60 km/h on either side, 6 minutes at each post and 6 between them. Every leg from one node to the
/// other is 120 km in 2.3 h; a load takes 1 h to load and 1 h to unload. Flows and settings come in layers over it.
/// </summary>
internal static class TinyFleetNetwork
{
    private const string Yaml = """
        name: fleet-tiny
        settings:
          start: 2023-01-01
          days: 60
          warmup_days: 0
          step_minutes: 60
        gate_classes:
          international: [transit, trade, local]
        commodities:
          goods: { name: Goods }
        nodes:
          a: { name: A, country: vn, kind: province }
          b: { name: B, country: la, kind: province }
        gates:
          g:
            class: international
            fee_usd: 10
            transfer_minutes: 6
            vn: { lanes: 50, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
            la: { lanes: 50, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
        roads:
          a-g: { from: a, to: g.vn, km: 60, kmh: 60 }
          g-b: { from: g.la, to: b, km: 60, kmh: 60 }
        carriers:
          haulers:
            home: a
            trucks: 2
            capacity_t: 10
            kmh: 60
            cost_per_km_usd: 1
            cost_per_hour_usd: 10
            load_hours: 1
            unload_hours: 1
            handling_cv: 0
            travel_cv: 0
        """;

    /// <summary>The network with <paramref name="layers"/> (YAML texts) merged over it, in order.</summary>
    public static ScenarioDefinition Definition(params string[] layers)
    {
        var parsed = Parse(layers);
        Assert.True(parsed.Succeeded, string.Join(Environment.NewLine, parsed.Errors));
        return parsed.Definition!;
    }

    /// <summary>The parse of the network with <paramref name="layers"/> merged over it, errors and all.</summary>
    public static ScenarioParseResult Parse(params string[] layers) =>
        ScenarioParser.Parse([new ScenarioSource("fleet-tiny.yaml", Yaml), .. layers.Select((text, i) => new ScenarioSource($"layer{i}.yaml", text))]);

    public static RunResult Run(ScenarioDefinition definition) => BaselineRuns.Run(definition, seed: 5, replication: 0);

    public static FleetResult Haulers(RunResult result) => Assert.Single(result.Fleets, f => f.Id == "haulers");
}
