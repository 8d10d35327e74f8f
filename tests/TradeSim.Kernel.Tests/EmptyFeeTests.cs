using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// A gate's fee for empty trucks (issue 12, item 6): `fee_empty_usd`, the fee_usd when not given. Empty legs through
/// the gate pay it, and carriers choosing a gate for an empty leg count it.
/// </summary>
public class EmptyFeeTests
{
    // January and February only, so every truck is home before the run ends and every crossing's leg is accounted.
    private const string TwoMonths = """
        settings:
          days: 90
        flows:
          a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 6000, value_usd_per_t: 100, daily_cv: 0, seasonality: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }
        """;

    [Fact]
    public void OperatingCost_EmptyFeeAboveTheFee_RisesByTheDifferenceOnEveryEmptyCrossing()
    {
        var same = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(TwoMonths));
        var dearer = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(TwoMonths, "gates:\n  g: { fee_empty_usd: 25 }\n"));
        var gate = BaselineRuns.Gate(dearer, "g");
        var emptyCrossings = gate.Trucks - gate.LoadedTrucks;

        // Each load crosses loaded to B and empty back, and nothing else changes: 15 USD more on each empty crossing.
        Assert.True(emptyCrossings > 0);
        Assert.Equal(gate.LoadedTrucks, emptyCrossings);
        Assert.Equal(DeterminismTests.Flatten(same), DeterminismTests.Flatten(dearer));
        Assert.Equal(15.0 * emptyCrossings, dearer.OperatingCostUsd - same.OperatingCostUsd, 1e-6);

        // The CAREC crossing cost is of loaded trips: still the loaded fee.
        Assert.Equal(gate.Trips.CrossingCostUsd, BaselineRuns.Gate(same, "g").Trips.CrossingCostUsd);
    }

    [Fact]
    public void Routing_AGateDearForEmptyTrucks_TakesTheLoadedTrucksButNotTheEmptyOnes()
    {
        // Gate h is 2 km longer each way than g (4 USD at 1 USD/km) and charges the same 10 USD: everything takes g.
        // Charging empty trucks 30 USD at g sends them through h; loaded trucks still pay 10 there and keep to g.
        const string twoGates = """
            gates:
              h:
                class: international
                fee_usd: 10
                transfer_minutes: 6
                vn: { lanes: 50, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
                la: { lanes: 50, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
            roads:
              a-h: { from: a, to: h.vn, km: 62, kmh: 62 }
              h-b: { from: h.la, to: b, km: 62, kmh: 62 }
            """;
        var even = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(TwoMonths, twoGates));
        var dear = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(TwoMonths, twoGates, "gates:\n  g: { fee_empty_usd: 30 }\n"));

        Assert.Equal(0, BaselineRuns.Gate(even, "h").Trucks);
        Assert.Equal(BaselineRuns.Gate(even, "g").LoadedTrucks * 2, BaselineRuns.Gate(even, "g").Trucks);

        var g = BaselineRuns.Gate(dear, "g");
        var h = BaselineRuns.Gate(dear, "h");
        Assert.True(g.LoadedTrucks > 0);
        Assert.Equal(g.LoadedTrucks, g.Trucks);
        Assert.Equal(0, h.LoadedTrucks);
        Assert.Equal(g.LoadedTrucks, h.Trucks);
    }
}
