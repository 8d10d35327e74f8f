using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Route costs include the wait for a post's daily opening (issue 12, item 2, in part): a truck that would reach one
/// gate after its hours weighs the night's wait against another gate's detour.
/// </summary>
public class OpeningHoursRoutingTests
{
    [Theory]
    [InlineData(6.0, 1.0)]
    [InlineData(7.0, 0.0)]
    [InlineData(18.5, 0.0)]
    [InlineData(19.0, 12.0)]
    [InlineData(23.0, 8.0)]
    [InlineData(24.0 + 6.5, 0.5)]
    public void HoursUntilOpen_OfAPostOpenSevenToNineteen(double time, double expected)
    {
        var post = new PostSpec { Country = "vn", Lanes = 1, OpenHour = 7, CloseHour = 19, HoldingCapacity = 1, ServiceMeanHours = [1], ServiceCv = [0] };

        Assert.Equal(expected, post.HoursUntilOpen(time), 12);
        Assert.Equal(0, new PostSpec { Country = "vn", Lanes = 1, OpenHour = 0, CloseHour = 24, HoldingCapacity = 1, ServiceMeanHours = [1], ServiceCv = [0] }.HoursUntilOpen(time));
    }

    [Fact]
    public void Routing_AGateOpenAroundTheClock_DrawsTheTrucksThatWouldFindTheOtherClosed()
    {
        // Pô Tô and Gia Khau serve the same Lai Chau flows; Gia Khau is nearer. Open Pô Tô around the clock: trucks
        // arriving outside Gia Khau's hours now cross there instead of waiting for the morning. All-or-nothing choice
        // and no planned departures isolate the route cost's opening hours.
        // The crossing points are restored for the test (in the 2023 baseline they are closed).
        var restored = BaselineRuns.WithCrossingPointsRestored;
        var definition = restored with { Settings = restored.Settings with { RouteDispersionUsd = 0, PlanningShare = 0 } };
        var open = definition with
        {
            Gates = [.. definition.Gates.Select(g => g.Id != "po-to" ? g : g with { Posts = [.. g.Posts.Select(p => p with { OpenMinute = 0, CloseMinute = 24 * 60 })] })],
        };

        var baseline = BaselineRuns.Run(definition, seed: 1, replication: 0);
        var result = BaselineRuns.Run(open, seed: 1, replication: 0);

        var before = BaselineRuns.Gate(baseline, "po-to").Trucks;
        var after = BaselineRuns.Gate(result, "po-to").Trucks;
        Assert.True(after > 3 * before + 100, $"po-to carried {before} trucks, open around the clock {after}");
        Assert.True(BaselineRuns.Gate(result, "gia-khau").Trucks < BaselineRuns.Gate(baseline, "gia-khau").Trucks);
    }
}
