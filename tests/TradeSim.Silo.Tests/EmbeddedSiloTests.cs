using TradeSim.Kernel.Scenarios;

namespace TradeSim.Silo.Tests;

public class EmbeddedSiloTests
{
    private static readonly string BaselinePath = Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml");

    private static ScenarioSource[] Baseline() => [new ScenarioSource("baseline.yaml", File.ReadAllText(BaselinePath))];

    [Fact]
    public void Run_SameRequestTwice_GivesIdenticalGateResults()
    {
        var silo = new EmbeddedSilo();
        var request = new RunRequest(Baseline(), Seed: 3, Replication: 2, new RunSettingsOverride(Days: 30));

        var first = silo.Run(request);
        var second = new EmbeddedSilo().Run(request);

        Assert.Equal(30, first.Days);
        Assert.Equal(
            first.Gates.Select(g => (g.Id, g.Trucks, g.Tonnes, g.MeanHoursToCross, g.P95HoursToCross)),
            second.Gates.Select(g => (g.Id, g.Trucks, g.Tonnes, g.MeanHoursToCross, g.P95HoursToCross)));
        Assert.True(first.Conservation.Balances);
    }

    [Fact]
    public void Compile_SameTextAndSettings_IsCompiledOnce()
    {
        var silo = new EmbeddedSilo();

        var a = silo.Compile(Baseline(), new RunSettingsOverride(Days: 10));
        var b = silo.Compile(Baseline(), new RunSettingsOverride(Days: 10));
        var c = silo.Compile(Baseline(), new RunSettingsOverride(Days: 11));

        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal(11, c.Definition.Settings.Days);
    }

    [Fact]
    public void Compile_UnknownCarrier_ThrowsWithLocatedError()
    {
        var text = File.ReadAllText(BaselinePath).Replace("carrier: sekong-bauxite-haulers", "carrier: no-such-fleet", StringComparison.Ordinal);

        var e = Assert.Throws<ScenarioRejectedException>(() => new EmbeddedSilo().Compile([new ScenarioSource("bad.yaml", text)]));

        var error = Assert.Single(e.Errors);
        Assert.Equal("bad.yaml", error.Location.Source);
        Assert.True(error.Location.Line > 0);
        Assert.Contains("unknown carrier 'no-such-fleet'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioHash_DependsOnTheTextsAndTheirLayering_NotOnFileNames()
    {
        var layers = Baseline();
        var renamed = new[] { new ScenarioSource("../elsewhere/other.yaml", layers[0].Text) };
        var edited = new[] { new ScenarioSource("baseline.yaml", layers[0].Text + "\n# a comment\n") };
        var split = new[] { new ScenarioSource("a.yaml", layers[0].Text[..100]), new ScenarioSource("b.yaml", layers[0].Text[100..]) };

        Assert.Equal(ScenarioText.Hash(layers), ScenarioText.Hash(Baseline()));
        Assert.Equal(ScenarioText.Hash(layers), ScenarioText.Hash(renamed));
        Assert.NotEqual(ScenarioText.Hash(layers), ScenarioText.Hash(split));
        Assert.NotEqual(ScenarioText.Hash(layers), ScenarioText.Hash(edited));
        Assert.Equal(64, ScenarioText.Hash(layers).Length);
    }
}
