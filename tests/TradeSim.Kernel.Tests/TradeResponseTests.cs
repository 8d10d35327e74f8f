using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Trade that responds to cost and time (issue 13, item 1): a what-if's flow volume is its stated volume times
/// exp(-e x (C - C0) / V) against the baseline it extends, checked against hand computations; elasticity 0 changes
/// nothing.
/// </summary>
public class TradeResponseTests
{
    private static string BaselineText => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml"));

    private static ScenarioDefinition Parse(string baseText, string whatIf)
    {
        var parsed = ScenarioParser.Parse([new ScenarioSource("baseline.yaml", baseText), new ScenarioSource("what-if.yaml", whatIf)]);
        Assert.True(parsed.Succeeded, string.Join(Environment.NewLine, parsed.Errors));
        Assert.NotNull(parsed.Definition!.Reference);
        return parsed.Definition!;
    }

    private static double Produced(RunResult r, string commodity) => r.Conservation.ByCommodity.Single(c => c.Commodity == commodity).ProducedKg;

    [Fact]
    public void Fee_RaisedBy100Usd_CutsBauxiteByTheElasticitysShareOfTheLoadsValue()
    {
        // Bauxite: 34 t loads at 45 USD/t are worth 1,530 USD; Nam Giang stays its cheapest route at a 115 USD fee.
        // With e = 2 the volume is exp(-2 x 100 / 1530) = 0.8774 of the stated one.
        var whatIf = Parse(BaselineText, "name: dear-nam-giang\ncommodities:\n  bauxite: { trade_elasticity: 2 }\n  cassava-starch: { trade_elasticity: 0 }\ngates:\n  nam-giang: { fee_usd: 115 }\n");
        var expected = Math.Exp(-2 * 100 / 1530.0);

        var network = BaselineRuns.Compile(whatIf);
        var bauxite = network.Flows.Single(f => f.Id == "bauxite-transit");
        Assert.Equal(expected, bauxite.VolumeFactor, 12);

        // Paired runs (same streams): what the mine produces scales by the factor, up to a kilogram a step.
        var definition = whatIf with { Settings = whatIf.Settings with { Days = 120 } };
        var reference = BaselineRuns.BaselineDefinition with { Settings = definition.Settings };
        var ratio = Produced(BaselineRuns.Run(definition, seed: 2, replication: 0), "bauxite") / Produced(BaselineRuns.Run(reference, seed: 2, replication: 0), "bauxite");
        Assert.Equal(expected, ratio, 3);

        // Starch, set to elasticity 0, keeps its stated volume.
        Assert.Equal(1, network.Flows.Single(f => f.Id == "cassava-starch-transit").VolumeFactor);
    }

    [Fact]
    public void Upgrade_SavingADay_RaisesTheFlowByTheElasticityTimesTheDaysCost()
    {
        // The reference makes the drive between Cha Lo's posts a day (1,440 minutes); the what-if makes it none: a day saved on the only route of the Ha Tinh - Khammouane flows. A day costs a load the carrier's
        // 24 hours plus 1% of its value (the default time value), so the volume rises by exp(e x that / value).
        var chaLo = BaselineText.IndexOf("\n  cha-lo:\n", StringComparison.Ordinal);
        var transfer = BaselineText.IndexOf("    transfer_minutes: 10 ", chaLo, StringComparison.Ordinal);
        Assert.True(chaLo > 0 && transfer > chaLo, "cha-lo's transfer_minutes not found in the baseline");
        var slowBase = BaselineText[..transfer] + "    transfer_minutes: 1440" + BaselineText[(transfer + "    transfer_minutes: 10".Length)..];
        Assert.Equal(1440, Parse(slowBase, "name: x\n").Gates.Single(g => g.Id == "cha-lo").TransferMinutes);
        var whatIf = Parse(slowBase, "name: fast-cha-lo\ncommodities:\n  farm-produce: { trade_elasticity: 6 }\n  manufactured-goods: { trade_elasticity: 1 }\ngates:\n  cha-lo: { transfer_minutes: 0 }\n");

        var network = BaselineRuns.Compile(whatIf);
        foreach (var flow in network.Flows.Where(f => network.Carriers[f.Carrier].Id == "ha-tinh-traders"))
        {
            var carrier = whatIf.Carriers.Single(c => c.Id == "ha-tinh-traders");
            var definition = whatIf.Flows.Single(f => f.Id == flow.Id);
            var elasticity = whatIf.Commodities.Single(c => c.Id == definition.Commodity).TradeElasticity;
            Assert.True(elasticity > 0, definition.Commodity);
            var loadValue = carrier.CapacityTonnes * definition.ValueUsdPerTonne;
            var dayCost = (24 * carrier.CostPerHourUsd) + (loadValue * 0.01);
            Assert.Equal(Math.Exp(elasticity * dayCost / loadValue), flow.VolumeFactor, 9);
        }
    }

    [Fact]
    public void Elasticity_Zero_KeepsEveryStatedVolumeAndTheRunUnchanged()
    {
        // The same what-if with no reference at all is the fixed-volume model. The bundled baseline gives every
        // commodity an elasticity, so the what-if sets each back to 0.
        var zero = string.Concat(BaselineRuns.BaselineDefinition.Commodities.Select(c => $"  {c.Id}: {{ trade_elasticity: 0 }}\n"));
        var whatIf = Parse(BaselineText, "name: dear-nam-giang\ncommodities:\n" + zero + "gates:\n  nam-giang: { fee_usd: 115 }\n");
        var plain = whatIf with { Reference = null };

        Assert.All(BaselineRuns.Compile(whatIf).Flows, f => Assert.Equal(1, f.VolumeFactor));
        var a = BaselineRuns.Run(whatIf with { Settings = whatIf.Settings with { Days = 60 } }, seed: 3, replication: 0);
        var b = BaselineRuns.Run(plain with { Settings = plain.Settings with { Days = 60 } }, seed: 3, replication: 0);
        DeterminismTests.AssertIdentical(DeterminismTests.Flatten(a), DeterminismTests.Flatten(b));
        Assert.Equal(0, a.Flows.Sum(f => f.TradeCreatedTonnesPerYear));
    }

    [Fact]
    public void TradeCreated_IsTheStatedVolumeTimesTheFactorLessOne()
    {
        // Only bauxite responds (e = 2); the other commodities are set to 0, so the total is bauxite's alone.
        var commodities = string.Concat(BaselineRuns.BaselineDefinition.Commodities.Select(c => $"  {c.Id}: {{ trade_elasticity: {(c.Id == "bauxite" ? 2 : 0)} }}\n"));
        var whatIf = Parse(BaselineText, "name: dear-nam-giang\ncommodities:\n" + commodities + "gates:\n  nam-giang: { fee_usd: 115 }\n");
        var run = BaselineRuns.Run(whatIf with { Settings = whatIf.Settings with { Days = 30 } }, seed: 1, replication: 0);
        var bauxite = run.Flows.Single(f => f.Id == "bauxite-transit");
        var stated = whatIf.Flows.Single(f => f.Id == "bauxite-transit").TonnesPerYear;
        Assert.Equal(stated * (Math.Exp(-2 * 100 / 1530.0) - 1), bauxite.TradeCreatedTonnesPerYear, 6);
        Assert.Equal(bauxite.TradeCreatedTonnesPerYear, run.Flows.Sum(f => f.TradeCreatedTonnesPerYear), 9);
    }

    [Fact]
    public void Closure_ForTheWholeRun_CutsTheTradeThatMustDetour_AsTheElasticityImplies()
    {
        // Nam Giang closed all run: bauxite must go by Bo Y, a dearer route. The volume falls, and the exponential form
        // means doubling the elasticity squares the factor.
        const string closed = "gates:\n  nam-giang:\n    closures:\n      - { from: 2020-01-01, days: 36500, reason: test }\n";
        double Factor(double elasticity) => BaselineRuns.Compile(Parse(BaselineText, $"name: no-nam-giang\ncommodities:\n  bauxite: {{ trade_elasticity: {elasticity} }}\n" + closed))
            .Flows.Single(f => f.Id == "bauxite-transit").VolumeFactor;

        var one = Factor(1);
        Assert.InRange(one, 0.01, 0.99);
        Assert.Equal(one * one, Factor(2), 12);
        Assert.Equal(1, Factor(0));
    }

    [Fact]
    public void AssumptionLayer_AboveTheBaseline_IsPartOfTheReference_ASetLayerIsNot()
    {
        // QL14D at 50 km/h instead of 30 makes bauxite cheaper to carry. As a what-if (any layer), bauxite grows; as a
        // varied assumption directly above the baseline (a sensitivity layer), the stated volumes hold for it, and only
        // a what-if above it moves them.
        const string Faster = "roads:\n  ql14d: { kmh: 50 }\n";
        var baseline = new ScenarioSource("baseline.yaml", BaselineText);
        double Bauxite(params ScenarioSource[] layers)
        {
            var parsed = ScenarioParser.Parse(layers);
            Assert.True(parsed.Succeeded, string.Join(Environment.NewLine, parsed.Errors));
            return BaselineRuns.Compile(parsed.Definition!).Flows.Single(f => f.Id == "bauxite-transit").VolumeFactor;
        }

        var assumption = new ScenarioSource(ScenarioSource.AssumptionLayerPrefix + "roads.ql14d.kmh=50", Faster);
        Assert.True(assumption.IsAssumption);
        Assert.True(Bauxite(baseline, new ScenarioSource("--set roads.ql14d.kmh=50", Faster)) > 1.005);
        Assert.Equal(1, Bauxite(baseline, assumption));
        Assert.Equal(1, Bauxite(baseline, assumption, new ScenarioSource("what-if.yaml", "name: same\n")));

        // A what-if above the varied assumption responds against it: the fee costs the same share either way.
        var fee = new ScenarioSource("what-if.yaml", "name: dear\ngates:\n  nam-giang: { fee_usd: 115 }\n");
        Assert.Equal(Math.Exp(-100 / 1530.0), Bauxite(baseline, assumption, fee), 9);
    }
}
