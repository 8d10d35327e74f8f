using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Backhaul (issue 12, item 6): a truck of a carrier with `backhaul: true` that unloads where the carrier has cargo
/// waiting takes it back instead of driving home empty, and trucks at home leave such cargo to the loaded trucks
/// heading there.
/// </summary>
public class BackhaulTests
{
    // Ten loads a day from A to B and five back, all for the same carrier (home A), with trucks to spare. Every leg is
    // 120 km, so without backhaul every load costs one empty leg: half the km are empty. With it, up to five of the
    // ten trucks a day that reach B come back loaded: a quarter of the km are empty.
    private const string OppositeFlows = """
        carriers:
          haulers: { trucks: 8 }
        flows:
          a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 36500, value_usd_per_t: 100, daily_cv: 0 }
          b-to-a: { commodity: goods, from: b, to: a, traffic: trade, carrier: haulers, tonnes_per_year: 18250, value_usd_per_t: 100, daily_cv: 0 }
        """;

    private const string Backhaul = "carriers:\n  haulers: { backhaul: true }\n";

    [Fact]
    public void EmptyKmShare_TwoOppositeFlowsOfOneCarrier_FallsWithBackhaul_AndEveryKilogramIsAccounted()
    {
        var without = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(OppositeFlows));
        var with = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(OppositeFlows, Backhaul));
        var emptyWithout = TinyFleetNetwork.Haulers(without).EmptyKmShare;
        var emptyWith = TinyFleetNetwork.Haulers(with).EmptyKmShare;

        Assert.InRange(emptyWithout, 0.49, 0.51);
        Assert.True(emptyWith < 0.3, $"empty km share {emptyWith:F3} with backhaul, {emptyWithout:F3} without");
        Assert.True(TinyFleetNetwork.Haulers(with).EmptyKm < TinyFleetNetwork.Haulers(without).EmptyKm);

        // The same cargo moves (within the loads on the road at the end), on fewer km, and none is lost or made.
        Assert.True(with.Conservation.Balances && without.Conservation.Balances);
        foreach (var flow in without.Flows)
        {
            var backhauled = Assert.Single(with.Flows, f => f.Id == flow.Id);
            Assert.InRange(backhauled.DeliveredTonnes, flow.DeliveredTonnes - 50, flow.DeliveredTonnes + 50);
        }

        Assert.True(with.KmDriven < 0.8 * without.KmDriven, $"{with.KmDriven:F0} km with backhaul, {without.KmDriven:F0} without");
        Assert.True(with.OperatingCostUsd < without.OperatingCostUsd);
    }

    [Fact]
    public void EmptyKmShare_CargoOnlyFromHome_IsUnchangedByBackhaul()
    {
        // Nothing waits at B, so no truck finds a return load there: backhaul changes nothing, not a single number.
        const string oneWay = "flows:\n  a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 9000, value_usd_per_t: 100, daily_cv: 0 }\n";
        var without = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(oneWay));
        var with = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(oneWay, Backhaul));

        Assert.Equal(DeterminismTests.Flatten(without), DeterminismTests.Flatten(with));
        Assert.Equal(TinyFleetNetwork.Haulers(without), TinyFleetNetwork.Haulers(with));
    }
}
