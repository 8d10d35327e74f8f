using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// The hot loop allocates nothing once a run is past its warm-up (bytes counted, not time): at the baseline's demand,
/// and at the largest demand allowed, once every flow has filled its age bins (1,024 hourly steps) and merges the oldest.
/// </summary>
public class SteadyStateAllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Step_BaselinePastWarmup_AllocatesNothing(bool largestDemand)
    {
        var definition = largestDemand ? BoundedMemoryTests.LargestDemand(BaselineRuns.BaselineDefinition) : BaselineRuns.BaselineDefinition;
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
