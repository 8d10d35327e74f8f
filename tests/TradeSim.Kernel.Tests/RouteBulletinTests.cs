using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// The wait a gate announces to routing (issue 12, item 5, in part): each queued truck counts at the mean service time
/// of its own cargo, not at an empty truck's; a truck choosing a route adds its own cargo's clearance.
/// </summary>
public class RouteBulletinTests
{
    [Fact]
    public void Bulletin_QueuedLoadedTrucks_CountAtTheirCargosServiceTime()
    {
        // Both posts open only 20:00-21:00 (so every arrival before then queues); loaded service 0.5 h, empty 0.1 h.
        var spec = new GateSpec
        {
            Id = "bulletin",
            Name = "Bulletin test gate",
            Corridor = "test",
            GateClass = "international",
            FeeUsd = 0,
            TransferHours = 0.25,
            Posts =
            [
                new PostSpec { Country = "aa", Lanes = 2, OpenHour = 20, CloseHour = 21, HoldingCapacity = int.MaxValue, ServiceMeanHours = [0.5, 0.1], ServiceCv = [0.0, 0.0] },
                new PostSpec { Country = "bb", Lanes = 1, OpenHour = 20, CloseHour = 21, HoldingCapacity = int.MaxValue, ServiceMeanHours = [0.5, 0.1], ServiceCv = [0.0, 0.0] },
            ],
            Closures = [],
            BaseCrossingHours = new double[2],
        };
        var gate = new GateModel(0, spec, commodityCount: 1, seed: 1, replication: 0, warmupEnd: 0, statisticsDays: 2);
        for (var i = 0; i < 6; i++)
        {
            // Four loaded trucks and two empty ones, all before the post opens at 20:00.
            gate.Inbox.Add(new GateArrivalMessage(Gate: 0, EntryPost: 0, Truck: i, Time: 1 + i, Commodity: i < 4 ? 0 : -1, Kg: i < 4 ? 1000 : 0, ValueUsd: 0, Traffic: TrafficKind.Trade));
        }

        gate.Step(0, 10);

        // Post 0 (two lanes): (4 x 0.5 + 2 x 0.1) / 2 = 1.1 h behind the queue, plus the 0.25 h transfer.
        Assert.Equal(1.1 + 0.25, gate.Bulletin.ExpectedHoursEnteringPost0, 12);
        Assert.Equal(1.1 + 0.25, gate.Bulletin.ExpectedHoursEnteringPost1, 12);
        Assert.Equal(0.5 + 0.5, spec.ClearanceHours(0, 0), 12);
        Assert.Equal(0.1 + 0.1, spec.ClearanceHours(0, -1), 12);

        // Once both queues have cleared (an hour's opening a day, so it takes a few days), only the transfer is left.
        for (var day = 0; day < 3; day++)
        {
            gate.Step(10 + (24 * day), 24 * (day + 1));
            gate.Step(24 * (day + 1), 10 + (24 * (day + 1)));
        }

        Assert.Equal(0.25, gate.Bulletin.ExpectedHoursEnteringPost0, 12);
        Assert.Equal(0.25, gate.Bulletin.ExpectedHoursEnteringPost1, 12);
    }
}
