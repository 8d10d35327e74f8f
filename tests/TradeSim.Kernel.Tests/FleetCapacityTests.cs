using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Capacity made visible (issue 12, item 7): each fleet's utilisation, turnaround and empty kilometres, and the cargo
/// it left waiting. Checked against what the model must give: every truck returns empty, so half its kilometres are
/// empty; a fleet too small for its demand is busy all the time and leaves a growing backlog behind.
/// </summary>
public class FleetCapacityTests
{
    [Fact]
    public void Fleets_Baseline_AreInRangeAndEveryReturnIsEmpty()
    {
        var run = BaselineRuns.BaselineSeed1;

        Assert.Equal(BaselineRuns.BaselineDefinition.Carriers.Count, run.Fleets.Count);
        foreach (var f in run.Fleets.Where(f => f.RoundTrips > 0))
        {
            Assert.InRange(f.Utilisation, 0, 1);
            Assert.True(f.MeanTurnaroundHours > 0, f.Id);

            // Legs to the origin and home are empty and the loaded leg is not: home-origin-destination-home, with the
            // origin at home for every bundled fleet, is as many empty km as loaded ones (within a trip in flight).
            Assert.InRange(f.EmptyKmShare, 0.45, 0.55);
        }
    }

    [Fact]
    public void Fleets_AFleetTooSmallForItsDemand_IsFullyBusy_AndLeavesABacklog()
    {
        var definition = BaselineRuns.BaselineDefinition;
        var starved = definition with { Carriers = [.. definition.Carriers.Select(c => c.Id == "sekong-bauxite-haulers" ? c with { Trucks = 3 } : c)] };

        var normal = BaselineRuns.BaselineSeed1.Fleets.Single(f => f.Id == "sekong-bauxite-haulers");
        var small = BaselineRuns.Run(starved, seed: 1, replication: 0).Fleets.Single(f => f.Id == "sekong-bauxite-haulers");

        Assert.True(small.Utilisation > 0.99, $"3 trucks for the bauxite flow are busy {small.Utilisation:P1} of the time");
        Assert.True(small.BacklogTonnes > 100_000, $"backlog {small.BacklogTonnes:N0} t");
        Assert.True(small.BacklogValueUsd > 0);
        Assert.True(small.BacklogMeanAgeHours > 24 * 30, $"the backlog's mean age is {small.BacklogMeanAgeHours:N0} h");
        // The bundled fleet carries its demand but is busy about 94% of the time since Nam Giang's travellers' cars
        // share the lanes (20 replications: 640 t left at the year's end, 0.4% of the year's bauxite).
        Assert.True(normal.BacklogTonnes < small.BacklogTonnes / 20, $"the bundled fleet leaves {normal.BacklogTonnes:N0} t");
        Assert.True(normal.Utilisation < small.Utilisation);
    }
}
