using TradeSim.Grains.Batches;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Tests.Support;

/// <summary>The bundled scenarios copied next to the tests, and short variants of them that run in a fraction of a second.</summary>
internal static class TestScenarios
{
    /// <summary>A layer that shortens any scenario to 5 days of statistics after 1 day of warm-up.</summary>
    public const string ShortLayerText = "settings:\n  days: 5\n  warmup_days: 1\n";

    /// <summary>The one carrier line of baseline.yaml that the poison scenario breaks.</summary>
    public const string CarrierLine = "carrier: sekong-bauxite-haulers";

    public static string BundledDirectory => Path.Combine(AppContext.BaseDirectory, "scenarios");

    public static ScenarioSource Bundled(string fileName) => new(fileName, File.ReadAllText(Path.Combine(BundledDirectory, fileName)));

    public static ScenarioSource ShortLayer => new("short.yaml", ShortLayerText);

    /// <summary>The whole-year baseline, one layer.</summary>
    public static ScenarioSource[] Baseline() => [Bundled("baseline.yaml")];

    /// <summary>The baseline, 5 days.</summary>
    public static ScenarioSource[] ShortBaseline() => [Bundled("baseline.yaml"), ShortLayer];

    /// <summary>The Nam Giang upgrade over the baseline, 5 days.</summary>
    public static ScenarioSource[] ShortUpgrade() => [Bundled("baseline.yaml"), Bundled("nam-giang-upgrade.yaml"), ShortLayer];

    /// <summary>The Nam Giang upgrade over the baseline, a whole year.</summary>
    public static ScenarioSource[] YearUpgrade() => [Bundled("baseline.yaml"), Bundled("nam-giang-upgrade.yaml")];

    /// <summary>The 5-day baseline with a flow that names a carrier nobody defines: parses, but never compiles.</summary>
    public static ScenarioSource[] ShortUnknownCarrier()
    {
        var text = Bundled("baseline.yaml").Text;
        var at = text.IndexOf(CarrierLine, StringComparison.Ordinal);
        Assert.True(at >= 0 && text.IndexOf(CarrierLine, at + 1, StringComparison.Ordinal) < 0, $"baseline.yaml no longer holds `{CarrierLine}` exactly once: update the poison scenario");
        return [new ScenarioSource("poison.yaml", text.Replace(CarrierLine, "carrier: no-such-fleet", StringComparison.Ordinal)), ShortLayer];
    }

    /// <summary>A batch of the given scenarios (named, in order; the first is the baseline).</summary>
    public static BatchSpec Spec(ulong seed, ReplicationPolicy policy, params (string Name, ScenarioSource[] Layers)[] scenarios) =>
        new(scenarios.Select((s, i) => new BatchScenario(i, s.Name, s.Layers)).ToList(), 0, seed, policy, []);
}
