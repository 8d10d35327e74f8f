using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// The WCO Time Release Study split of the hours to cross (issue 12, item 3): waiting for a post to open, queueing at
/// open lanes, inspection and clearance, and the drive between the posts add up to the hours to cross at every gate,
/// and a post's waiting for opening and queueing add up to its wait. With every post open around the clock and no
/// closure there is nothing to wait for: that part is zero.
/// </summary>
public class WcoSplitTests
{
    [Fact]
    public void Split_BaselineRun_PartsAddUpToTheHoursToCross_AtEveryGateAndPost()
    {
        var run = BaselineRuns.BaselineSeed1;
        var crossed = run.Gates.Where(g => g.Trucks > 0).ToList();
        Assert.True(crossed.Count >= 5);
        foreach (var gate in crossed)
        {
            var s = gate.Split;
            Assert.Equal(gate.MeanHoursToCross, s.TotalHours, 9);
            Assert.All(new[] { s.OpeningWaitHours, s.QueueingHours, s.ServiceHours, s.TransferHours }, part => Assert.True(part >= -1e-9, $"{gate.Id}: a negative part {part}"));
            Assert.True(s.ServiceHours > 0 && s.TransferHours > 0, gate.Id);
            foreach (var post in gate.Posts.Where(p => p.Served > 0))
            {
                Assert.Equal(post.MeanWaitHours, post.MeanOpeningWaitHours + post.MeanQueueingHours, 12);
                Assert.InRange(post.MeanOpeningWaitHours, 0, post.MeanWaitHours + 1e-12);
            }
        }

        // The baseline's posts open 07:00-19:00: even with half the drivers planning their departures, waiting for
        // opening is a large part of Nam Giang's crossing.
        var namGiang = run.Gates.Single(g => g.Id == "nam-giang");
        Assert.True(namGiang.Split.OpeningWaitHours > 0.3 * namGiang.Split.TotalHours, $"{namGiang.Split}");
    }

    [Fact]
    public void Split_EveryPostOpenAroundTheClockWithoutClosures_HasNoWaitingForOpening()
    {
        var definition = BaselineRuns.BaselineDefinition;
        var open = definition with
        {
            Gates = [.. definition.Gates.Select(g => g with { Closures = [], Posts = [.. g.Posts.Select(p => p with { OpenMinute = 0, CloseMinute = 24 * 60 })] })],
        };

        var run = BaselineRuns.Run(open, seed: 1, replication: 0);

        foreach (var gate in run.Gates.Where(g => g.Trucks > 0))
        {
            Assert.True(Math.Abs(gate.Split.OpeningWaitHours) < 1e-9, $"{gate.Id}: {gate.Split}");
            Assert.Equal(gate.MeanHoursToCross, gate.Split.TotalHours, 9);
            Assert.All(gate.Posts, p => Assert.Equal(0, p.MeanOpeningWaitHours, 12));
        }

        Assert.True(run.Gates.Single(g => g.Id == "bo-y").Split.QueueingHours > 0);
    }

    [Fact]
    public void Split_IsInTheKpiCatalogue_AndItsPartsAddUpThere()
    {
        var kpis = KpiCatalogue.Extract(BaselineRuns.BaselineSeed1).ToDictionary(k => k.Name, k => k.Value, StringComparer.Ordinal);

        var parts = new[] { "opening_wait_hours_mean", "queueing_hours_mean", "service_hours_mean", "transfer_hours_mean" }.Sum(m => kpis[$"gate.bo-y.{m}"]);

        Assert.Equal(kpis["gate.bo-y.hours_to_cross_mean"], parts, 9);
        Assert.Equal(kpis["post.bo-y.la.wait_hours_mean"], kpis["post.bo-y.la.opening_wait_hours_mean"] + kpis["post.bo-y.la.queueing_hours_mean"], 12);
    }
}
