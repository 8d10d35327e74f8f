using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Hiring and backhaul keep the kernel's guarantees: no allocation in the hot loop while trucks are hired, let go
/// and backhaul, and the same bits whatever the number of threads.
/// </summary>
public class FleetOptionsRunTests
{
    // Ten loads a day from A, five from B; two own trucks carry about seven a day, up to three hired ones the rest,
    // and trucks that reach B take its cargo back.
    private const string Busy = """
        settings:
          days: 120
        carriers:
          haulers:
            backhaul: true
            hire: { max_trucks: 3, usd_per_day: 50, after_hours: 6 }
        flows:
          a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 36500, value_usd_per_t: 100, daily_cv: 0.3 }
          b-to-a: { commodity: goods, from: b, to: a, traffic: trade, carrier: haulers, tonnes_per_year: 18250, value_usd_per_t: 100, daily_cv: 0.3 }
        """;

    [Fact]
    public void Step_HiringAndBackhaulPastTheirFirstMonths_AllocatesNothing()
    {
        var simulation = new Simulation(BaselineRuns.Compile(TinyFleetNetwork.Definition(Busy)), seed: 1, replication: 0);
        for (var i = 0; i < 60 * 24; i++)
        {
            simulation.Step();
        }

        var hiredBefore = TinyFleetNetwork.Haulers(simulation.Collect()).HiredTruckDays;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 30 * 24; i++)
        {
            simulation.Step();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var fleet = TinyFleetNetwork.Haulers(simulation.Collect());
        Assert.Equal(0, allocated);

        // The month measured did hire trucks, and let some go: not all three were kept all month.
        Assert.InRange(fleet.HiredTruckDays - hiredBefore, 1, (3 * 30) - 1);
        Assert.True(fleet.EmptyKmShare < 0.45, $"empty km share {fleet.EmptyKmShare:F3}");
    }

    [Fact]
    public void Run_HiringAndBackhaulOneAndTwoThreads_IdenticalResults()
    {
        var network = BaselineRuns.Compile(BaselineRuns.LoadWhatIf("nam-giang-landslide.yaml", "carriers:\n  ha-tinh-traders: { backhaul: true }\n"));
        var one = new Simulation(network, 1, 0, threads: 1).Run();
        var two = new Simulation(network, 1, 0, threads: 2).Run();

        Assert.True(one.Fleets.Sum(f => f.HiredTruckDays) > 0);
        Assert.Equal(DeterminismTests.Flatten(one), DeterminismTests.Flatten(two));
        Assert.Equal(one.Fleets, two.Fleets);
        Assert.Equal(one.OperatingCostUsd, two.OperatingCostUsd);
    }
}
