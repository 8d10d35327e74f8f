using TradeSim.Grains.Runs;
using TradeSim.Grains.Tests.Support;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Tests;

/// <summary>The one place a replication executes: compile cache, stored scenarios, rejection, cancellation.</summary>
public sealed class ReplicationRunnerTests
{
    [Fact]
    public void Run_SameRequestTwice_GivesIdenticalResults()
    {
        var request = new RunRequest(TestScenarios.Baseline(), Seed: 3, Replication: 2, new RunSettingsOverride(Days: 30));

        var first = new ReplicationRunner().Run(request);
        var second = new ReplicationRunner().Run(request);

        Assert.Equal(30, first.Days);
        Assert.Equal(
            first.Gates.Select(g => (g.Id, g.Trucks, g.Tonnes, g.MeanHoursToCross, g.P95HoursToCross)),
            second.Gates.Select(g => (g.Id, g.Trucks, g.Tonnes, g.MeanHoursToCross, g.P95HoursToCross)));
        Assert.Contains(first.Gates, g => g.Trucks > 0);
        Assert.Equal(RunRecord.Of(first).Digest, RunRecord.Of(second).Digest);
        Assert.True(first.Conservation.Balances);
    }

    [Fact]
    public void Run_OtherReplication_GivesOtherResults()
    {
        var runner = new ReplicationRunner();

        var a = runner.Run(TestScenarios.ShortBaseline(), seed: 3, replication: 0, CancellationToken.None)!;
        var b = runner.Run(TestScenarios.ShortBaseline(), seed: 3, replication: 1, CancellationToken.None)!;

        Assert.NotEqual(RunRecord.Of(a).Digest, RunRecord.Of(b).Digest);
    }

    [Fact]
    public void Compile_SameTextAndSettings_IsCompiledOnce()
    {
        var runner = new ReplicationRunner();

        var a = runner.Compile(TestScenarios.Baseline(), new RunSettingsOverride(Days: 10));
        var b = runner.Compile(TestScenarios.Baseline(), new RunSettingsOverride(Days: 10));
        var c = runner.Compile(TestScenarios.Baseline(), new RunSettingsOverride(Days: 11));

        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal(11, c.Definition.Settings.Days);
    }

    [Fact]
    public void CompileStored_SameHashTwice_LoadsTheTextOnce()
    {
        var runner = new ReplicationRunner();
        var layers = TestScenarios.ShortBaseline();
        var hash = ScenarioText.Hash(layers);
        var loads = 0;

        var a = runner.CompileStored(hash, () => { loads++; return layers; });
        var b = runner.CompileStored(hash, () => { loads++; return layers; });

        Assert.Equal(1, loads);
        Assert.Same(a, b);
        Assert.Equal(5, a.Definition.Settings.Days);

        // The same text compiled from its layers is the same cached network.
        Assert.Same(a, runner.Compile(layers));
    }

    [Fact]
    public void CompileStored_UnknownCarrier_ThrowsWithLocatedErrorEveryTime()
    {
        var runner = new ReplicationRunner();
        var layers = TestScenarios.ShortUnknownCarrier();
        var hash = ScenarioText.Hash(layers);

        var first = Assert.Throws<ScenarioRejectedException>(() => runner.CompileStored(hash, () => layers));
        var second = Assert.Throws<ScenarioRejectedException>(() => runner.CompileStored(hash, () => layers));

        Assert.Contains("unknown carrier 'no-such-fleet'", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Errors, second.Errors);
    }

    [Fact]
    public void Compile_UnknownCarrier_ThrowsWithLocatedError()
    {
        var text = File.ReadAllText(Path.Combine(TestScenarios.BundledDirectory, "baseline.yaml"));
        var line = 1 + text.AsSpan(0, text.IndexOf(TestScenarios.CarrierLine, StringComparison.Ordinal)).Count('\n');
        text = text.Replace(TestScenarios.CarrierLine, "carrier: no-such-fleet", StringComparison.Ordinal);

        var e = Assert.Throws<ScenarioRejectedException>(() => new ReplicationRunner().Compile([new ScenarioSource("bad.yaml", text)]));

        var error = Assert.Single(e.Errors);
        Assert.Equal("bad.yaml", error.Location.Source);
        Assert.Equal(line, error.Location.Line);
        Assert.Contains("unknown carrier 'no-such-fleet'", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.ToString(), e.Message);
    }

    [Fact]
    public void Compile_UnparsableText_ThrowsWithLocatedError()
    {
        var e = Assert.Throws<ScenarioRejectedException>(() => new ReplicationRunner().Compile([new ScenarioSource("broken.yaml", "name: x\nsettings: [\n")]));

        Assert.NotEmpty(e.Errors);
        Assert.All(e.Errors, error => Assert.Equal("broken.yaml", error.Location.Source));
    }

    [Fact]
    public void ScenarioHash_DependsOnTheTextsAndTheirLayering_NotOnFileNames()
    {
        var layers = TestScenarios.Baseline();
        var renamed = new[] { new ScenarioSource("../elsewhere/other.yaml", layers[0].Text) };
        var edited = new[] { new ScenarioSource("baseline.yaml", layers[0].Text + "\n# a comment\n") };
        var split = new[] { new ScenarioSource("a.yaml", layers[0].Text[..100]), new ScenarioSource("b.yaml", layers[0].Text[100..]) };

        Assert.Equal(ScenarioText.Hash(layers), ScenarioText.Hash(TestScenarios.Baseline()));
        Assert.Equal(ScenarioText.Hash(layers), ScenarioText.Hash(renamed));
        Assert.NotEqual(ScenarioText.Hash(layers), ScenarioText.Hash(split));
        Assert.NotEqual(ScenarioText.Hash(layers), ScenarioText.Hash(edited));
        Assert.Equal(64, ScenarioText.Hash(layers).Length);
    }

    [Fact]
    public void ScenarioText_JsonRoundTrip_KeepsNamesTextsAndHash()
    {
        var layers = TestScenarios.ShortUpgrade();

        var back = ScenarioText.FromJson(ScenarioText.ToJson(layers));

        Assert.Equal(layers, back);
        Assert.Equal(ScenarioText.Hash(layers), ScenarioText.Hash(back));
    }

    [Fact]
    public void Run_CancelledBeforeItStarts_ReturnsNull()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var network = new ReplicationRunner().Compile(TestScenarios.ShortBaseline());

        Assert.Null(ReplicationRunner.Run(network, seed: 1, replication: 0, cancelled.Token));
    }
}
