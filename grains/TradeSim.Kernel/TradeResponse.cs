using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// Trade that responds to cost and time. A flow's stated volume holds on the reference network (the baseline a what-if
/// extends); on another network its volume is the stated one times exp(-e x (C - C0) / V), where C and C0 are the
/// generalised costs of carrying one load on its cheapest route here and there, V the load's value and e its
/// commodity's trade elasticity. The cost is money (km, hours at the carrier's rate, the fee) plus the days the load
/// takes valued at the commodity's time value; the hours include the mean wait for each post to open for a truck
/// arriving at a random time of day. With a time value of 1% a day and e = 1, each day of delay costs about 1% of
/// trade (Djankov, Freund and Pham 2010, Review of Economics and Statistics 92(1): at least 1% a day; about 6% a day
/// for time-sensitive farm goods, e = 6). The response is to the network's lasting costs: a gate closed for the whole
/// run is no route, temporary closures and congestion move no volume. Elasticity 0 leaves every volume as stated.
/// </summary>
internal static class TradeResponse
{
    public static CompiledNetwork? Apply(CompiledNetwork network, List<ScenarioError> errors)
    {
        var d = network.Definition;
        if (d.Reference is not { } referenceDefinition || d.Commodities.All(c => c.TradeElasticity == 0))
        {
            return network;
        }

        var referenceErrors = new List<ScenarioError>();
        var reference = NetworkCompiler.Compile(referenceDefinition with { Reference = null }, referenceErrors);
        if (reference is null)
        {
            errors.Add(new ScenarioError(d.Commodities[0].Location, $"trade_elasticity needs the reference scenario '{referenceDefinition.Name}' to compile; it does not: {referenceErrors.FirstOrDefault()}"));
            return null;
        }

        var referenceFlows = Enumerable.Range(0, reference.Flows.Length).ToDictionary(f => reference.Flows[f].Id, StringComparer.Ordinal);
        var flows = network.Flows;
        for (var f = 0; f < flows.Length; f++)
        {
            var commodity = d.Commodities[flows[f].Commodity];
            if (commodity.TradeElasticity == 0 || !referenceFlows.TryGetValue(flows[f].Id, out var r))
            {
                // A flow only this scenario has is stated for this network.
                continue;
            }

            var loadValue = network.Carriers[flows[f].Carrier].CapacityKg * flows[f].ValueUsdPerKg;
            if (loadValue <= 0)
            {
                continue;
            }

            var timeValuePerHour = loadValue * commodity.TimeValuePctPerDay / 100.0 / 24.0;
            var cost = CheapestLoadedCost(network, f, timeValuePerHour);
            var referenceCost = CheapestLoadedCost(reference, r, timeValuePerHour);
            var factor = Math.Exp(-commodity.TradeElasticity * (cost - referenceCost) / loadValue);
            flows[f] = flows[f] with { KgPerHour = flows[f].KgPerHour * factor, VolumeFactor = factor };
        }

        return network;
    }

    /// <summary>
    /// The generalised cost of one load of flow <paramref name="f"/> on its cheapest loaded route with every queue
    /// empty: money at the carrier's rates and the fee, plus the hours at <paramref name="timeValuePerHour"/>, the
    /// mean wait for the posts' opening included. Gates closed for the whole run are no route.
    /// </summary>
    internal static double CheapestLoadedCost(CompiledNetwork network, int f, double timeValuePerHour)
    {
        var flow = network.Flows[f];
        var carrier = network.Carriers[flow.Carrier];
        var first = flow.LegStart[Leg.OriginToDestination];
        var best = double.PositiveInfinity;
        for (var i = first; i < first + flow.LegCount[Leg.OriginToDestination]; i++)
        {
            var o = network.LegOptions[i];
            var hours = NetworkCompiler.StaticHours(o, network.Gates, flow.Commodity);
            if (o.Gate >= 0)
            {
                var gate = network.Gates[o.Gate];
                if (gate.ClosedThroughout(network.RunHours))
                {
                    continue;
                }

                hours += gate.Posts[0].MeanOpeningWaitHours + gate.Posts[1].MeanOpeningWaitHours;
            }

            best = Math.Min(best, NetworkCompiler.StaticMoney(o, carrier, network.Gates, flow.Commodity) + (hours * (carrier.CostPerHourUsd + timeValuePerHour)));
        }

        return best;
    }
}
