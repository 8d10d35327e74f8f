using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>The hot loop allocates nothing once a run is past its warm-up (bytes counted, not time).</summary>
public class SteadyStateAllocationTests
{
    [Fact]
    public void Step_BaselinePastWarmup_AllocatesNothing()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml");
        var definition = ScenarioParser.Parse(path, File.ReadAllText(path)).Definition!;
        var network = CompiledNetwork.Compile(definition, [])!;
        var simulation = new Simulation(network, seed: 1, replication: 0);
        for (var i = 0; i < 120 * 24; i++)
        {
            simulation.Step();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 30 * 24; i++)
        {
            simulation.Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
