using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// The hot loop allocates nothing once a run is past its warm-up (bytes counted, not time): at the baseline's demand,
/// and at the largest demand allowed, once every flow has filled its age bins (1,024 hourly steps) and merges the oldest;
/// with even and with Poisson release (whose message boxes and age bins reach their high-water marks in warm-up too).
/// </summary>
public class SteadyStateAllocationTests
{
    [Theory]
    [InlineData(false, ReleaseProcess.Even)]
    [InlineData(true, ReleaseProcess.Even)]
    [InlineData(false, ReleaseProcess.Poisson)]
    [InlineData(true, ReleaseProcess.Poisson)]
    public void Step_BaselinePastWarmup_AllocatesNothing(bool largestDemand, ReleaseProcess release)
    {
        var definition = largestDemand ? BoundedMemoryTests.LargestDemand(BaselineRuns.BaselineDefinition) : BaselineRuns.BaselineDefinition;
        definition = definition with { Settings = definition.Settings with { Release = release } };
        var simulation = new Simulation(BaselineRuns.Compile(definition), seed: 1, replication: 0);
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
