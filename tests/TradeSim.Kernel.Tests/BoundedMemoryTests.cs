using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Memory is bounded by the network and its fleets, not by demand (issue 10, item 4): cargo waiting for trucks is
/// held per flow in age bins, so the largest demand a scenario may ask for (10^10 t a year on every flow, on the
/// smallest trucks) costs what the baseline's demand costs (and, past warm-up, nothing: SteadyStateAllocationTests).
/// Bytes are counted (one thread), not time.
/// </summary>
public class BoundedMemoryTests
{
    /// <summary>What a whole baseline run may allocate beyond the same run at its own demand: the age bins (16 KB a flow at most, grown by doubling).</summary>
    private const long DemandBound = 2 * 1024 * 1024;

    [Theory]
    [InlineData(ReleaseProcess.Even)]
    [InlineData(ReleaseProcess.Poisson)]
    public void LargestAllowedDemand_WholeRun_AllocatesAboutWhatTheBaselineDoes(ReleaseProcess release)
    {
        var baseline = BaselineRuns.BaselineDefinition;
        baseline = baseline with { Settings = baseline.Settings with { Release = release } };
        var largest = LargestDemand(baseline);

        var (baselineBytes, _) = Allocated(baseline);
        var (largestBytes, result) = Allocated(largest);

        Assert.True(
            largestBytes - baselineBytes < DemandBound,
            $"the largest demand allocated {largestBytes:N0} bytes against the baseline's {baselineBytes:N0}: memory grows with demand");
        // The demand really was there, and every kilogram is accounted for.
        Assert.True(result.Conservation.ProducedTonnes > 1e9 * baseline.Flows.Count, $"produced {result.Conservation.ProducedTonnes:G4} t");
        Assert.True(result.Conservation.StockTonnes > 0.99 * result.Conservation.ProducedTonnes, "the fleets should be swamped: nearly all cargo waits");
        Assert.True(result.Conservation.Balances);
    }

    /// <summary>
    /// The baseline with every flow at the most a flow may carry (10^10 t a year), on 0.1 t trucks (the smallest: the
    /// most truckloads), with the most variable days allowed and all of a year's cargo in January.
    /// </summary>
    internal static ScenarioDefinition LargestDemand(ScenarioDefinition baseline)
    {
        double[] january = [12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        return baseline with
        {
            Flows = baseline.Flows.Select(f => f with { TonnesPerYear = 1e10, DailyCv = 10, Seasonality = january }).ToList(),
            Carriers = baseline.Carriers.Select(c => c with { CapacityTonnes = 0.1 }).ToList(),
        };
    }

    private static (long Bytes, RunResult Result) Allocated(ScenarioDefinition definition)
    {
        var network = BaselineRuns.Compile(definition);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = new Simulation(network, seed: 1, replication: 0).Run();
        return (GC.GetAllocatedBytesForCurrentThread() - before, result);
    }
}
