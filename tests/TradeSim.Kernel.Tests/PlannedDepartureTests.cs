using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Drivers who plan their departures against the posts' hours (`planning_share`) wait at the start of the leg rather
/// than at a closed gate: the more of them, the less of the hours to cross is spent waiting for the posts to open.
/// </summary>
public class PlannedDepartureTests
{
    private static RunResult WithPlanning(double share) =>
        BaselineRuns.Run(BaselineRuns.BaselineDefinition with { Settings = BaselineRuns.BaselineDefinition.Settings with { PlanningShare = share, Days = 120 } }, seed: 1, replication: 0);

    [Fact]
    public void OpeningWait_MoreDriversPlan_FallsAndMovesToTheLegsStart()
    {
        var none = WithPlanning(0);
        var half = WithPlanning(0.5);
        var all = WithPlanning(1);

        Assert.All(none.Fleets, f => Assert.Equal(0, f.PlannedWaitHours));
        Assert.True(half.Fleets.Sum(f => f.PlannedWaitHours) > 0, "no driver waited to plan a departure");
        Assert.True(all.Fleets.Sum(f => f.PlannedWaitHours) > half.Fleets.Sum(f => f.PlannedWaitHours), "planning by every driver waited no longer than by half");

        foreach (var gate in new[] { "nam-giang", "bo-y" })
        {
            var opening = new[] { none, half, all }.Select(r => BaselineRuns.Gate(r, gate).Split.OpeningWaitHours).ToArray();
            Assert.True(opening[1] < opening[0] && opening[2] < opening[1], $"{gate}: waiting for opening {opening[0]:F2} h with no planners, {opening[1]:F2} h with half, {opening[2]:F2} h with all");

            // Every driver planning leaves the queues at opening time as the only wait that remains at the gate.
            Assert.True(opening[2] < opening[0] / 3, $"{gate}: waiting for opening {opening[2]:F2} h when every driver plans, {opening[0]:F2} h when none does");
        }
    }
}
