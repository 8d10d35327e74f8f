using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>Turns the entity models' accumulators into a <see cref="RunResult"/> once a run has finished.</summary>
internal static class RunResultBuilder
{
    public static RunResult Build(CompiledNetwork network, Simulation simulation, ProvinceModel[] provinces, CarrierModel[] carriers, GateModel[] gates)
    {
        var settings = network.Definition.Settings;
        var commodities = network.Commodities;
        var trips = new TripResult[gates.Length + 1];
        for (var g = 0; g <= gates.Length; g++)
        {
            var sum = default(LoadedTripStatistics);
            foreach (var c in carriers)
            {
                ref readonly var t = ref c.LoadedTripsByGate[g];
                sum.Legs += t.Legs;
                sum.Km += t.Km;
                sum.Tonnes += t.Tonnes;
                sum.TonneKm += t.TonneKm;
                sum.Hours += t.Hours;
                sum.BorderHours += t.BorderHours;
                sum.CostUsd += t.CostUsd;
                sum.CrossingCostUsd += t.CrossingCostUsd;
            }

            trips[g] = new TripResult(sum.Legs, sum.Km, sum.Tonnes, sum.TonneKm, sum.Hours, sum.BorderHours, sum.CostUsd, sum.CrossingCostUsd);
        }

        var gateResults = gates.Select((g, i) => BuildGate(g, commodities, trips[i])).ToList();

        var corridors = gateResults
            .GroupBy(g => g.Corridor, StringComparer.Ordinal)
            .Select(group =>
            {
                var trucks = group.Sum(g => g.Trucks);
                var hours = trucks == 0 ? 0 : group.Sum(g => g.MeanHoursToCross * g.Trucks) / trucks;
                var corridorTrips = group.Aggregate(TripResult.None, (sum, g) => sum.Add(g.Trips));
                return new CorridorResult(group.Key, group.Select(g => g.Id).ToList(), trucks, group.Sum(g => g.LoadedTrucks), group.Sum(g => g.Tonnes), group.Sum(g => g.ValueUsd), hours, corridorTrips);
            })
            .ToList();

        var produced = new long[commodities.Length];
        var producedInWindow = new long[commodities.Length];
        var stock = new long[commodities.Length];
        foreach (var p in provinces)
        {
            for (var i = 0; i < p.FlowIndex.Length; i++)
            {
                var c = network.Flows[p.FlowIndex[i]].Commodity;
                produced[c] += p.ProducedKg[i];
                producedInWindow[c] += p.ProducedKgInWindow[i];
                stock[c] += p.PendingKg[i];
            }
        }

        var delivered = new long[commodities.Length];
        var deliveredInWindow = new long[commodities.Length];
        var deliveredValue = new double[commodities.Length];
        var inTransit = new long[commodities.Length];
        var queued = new long[commodities.Length];
        long legs = 0;
        long diverted = 0;
        double operatingCost = 0;
        var now = simulation.StepsDone * settings.StepMinutes / 60.0;
        double kmDriven = 0;
        var kgByFlowAndGate = new long[network.Flows.Length * (gates.Length + 1)];
        foreach (var c in carriers)
        {
            for (var k = 0; k < commodities.Length; k++)
            {
                delivered[k] += c.DeliveredKg[k];
                deliveredInWindow[k] += c.DeliveredKgInWindow[k];
                deliveredValue[k] += c.DeliveredValueInWindow[k];
                stock[k] += c.AwaitingPickupKg[k];
            }

            c.AddLoadedKg(inTransit, queued);
            legs += c.LegsThroughGates;
            diverted += c.LegsDiverted;
            operatingCost += c.OperatingCostUsd + (c.HiredTruckDaysInWindow(now) * c.Spec.HireUsdPerDay);
            kmDriven += c.KmDriven;
            for (var i = 0; i < kgByFlowAndGate.Length; i++)
            {
                kgByFlowAndGate[i] += c.KgByFlowAndGate[i];
            }
        }

        var crossingsLoaded = new long[commodities.Length];
        foreach (var g in gates)
        {
            for (var k = 0; k < commodities.Length; k++)
            {
                crossingsLoaded[k] += g.Stats.KgByCommodity[k];
            }
        }

        var commodityResults = new List<CommodityResult>();
        var balances = new List<CommodityBalance>();
        for (var k = 0; k < commodities.Length; k++)
        {
            commodityResults.Add(new CommodityResult(commodities[k], producedInWindow[k] / 1000.0, deliveredInWindow[k] / 1000.0, deliveredValue[k], crossingsLoaded[k] / 1000.0));
            balances.Add(new CommodityBalance(commodities[k], produced[k], delivered[k], inTransit[k], queued[k], stock[k]));
        }

        var flows = new List<FlowResult>(network.Flows.Length);
        for (var f = 0; f < network.Flows.Length; f++)
        {
            var spec = network.Flows[f];
            var byGate = new SortedDictionary<string, double>(StringComparer.Ordinal);
            long total = 0;
            for (var g = 0; g <= gates.Length; g++)
            {
                var kg = kgByFlowAndGate[(f * (gates.Length + 1)) + g];
                total += kg;
                if (kg > 0 || (g < gates.Length && FlowMayUse(network, spec, g)))
                {
                    byGate[g < gates.Length ? gates[g].Spec.Id : string.Empty] = kg / 1000.0;
                }
            }

            flows.Add(new FlowResult(spec.Id, commodities[spec.Commodity], network.Nodes[spec.Origin].Id, network.Nodes[spec.Destination].Id, total / 1000.0, byGate)
            {
                VolumeFactor = spec.VolumeFactor,

                // The stated volume is the compiled rate undone by its factor.
                TradeCreatedTonnesPerYear = spec.KgPerHour * 365 * 24 / 1000.0 * (1 - (1 / spec.VolumeFactor)),
            });
        }

        var daily = new List<DailyGateRecord>(settings.Days * gates.Length);
        var daysDone = Math.Min(settings.Days, Math.Max(0, (int)(((simulation.StepsDone * settings.StepMinutes / 60.0) / 24.0) - settings.WarmupDays)));
        for (var d = 0; d < daysDone; d++)
        {
            var date = settings.Start.AddDays(d);
            foreach (var g in gates)
            {
                var s = g.Stats;
                var trucks = s.DailyCrossings[d];
                daily.Add(new DailyGateRecord(date, g.Spec.Id, trucks, s.DailyKg[d] / 1000.0, trucks == 0 ? 0 : s.DailyHoursSum[d] / trucks, s.DailyQueueAtEnd[d], s.DailyQueueArea[d] / 24.0));
            }
        }

        return new RunResult(
            network.Definition.Name,
            simulation.Seed,
            simulation.Replication,
            settings.Start,
            settings.Days,
            settings.WarmupDays,
            settings.StepMinutes,
            gateResults,
            corridors,
            commodityResults,
            new ConservationAccount(balances),
            legs,
            diverted,
            operatingCost,
            kmDriven,
            flows,
            daily)
        {
            Fleets = BuildFleets(network, carriers, now),
        };
    }

    /// <summary>Each carrier's fleet over the window, and the backlog it left at the end of the run; trucks hired up to <paramref name="now"/>.</summary>
    private static List<FleetResult> BuildFleets(CompiledNetwork network, CarrierModel[] carriers, double now)
    {
        var settings = network.Definition.Settings;
        var end = (settings.WarmupDays + settings.Days) * 24.0;
        var window = settings.Days * 24.0;
        var loads = new long[network.Flows.Length];
        var loadHours = new double[network.Flows.Length];
        var fleets = new List<FleetResult>(carriers.Length);
        foreach (var c in carriers)
        {
            Array.Clear(loads);
            Array.Clear(loadHours);
            c.AddBacklog(end, loads, loadHours);
            var spec = c.Spec;
            var backlogLoads = loads.Sum();
            var backlogValue = 0.0;
            for (var f = 0; f < loads.Length; f++)
            {
                backlogValue += loads[f] * spec.CapacityKg * network.Flows[f].ValueUsdPerKg;
            }

            var truckHours = c.TruckCount * window;
            var hiredDays = c.HiredTruckDaysInWindow(now);
            fleets.Add(new FleetResult(
                spec.Id,
                c.TruckCount,
                truckHours == 0 ? 0 : 1 - (c.IdleTruckHoursInWindow(end) / truckHours),
                c.RoundTrips,
                c.RoundTrips == 0 ? 0 : c.RoundTripHoursSum / c.RoundTrips,
                c.KmDriven,
                c.EmptyKmDriven,
                backlogLoads * spec.CapacityKg / 1000.0,
                backlogValue,
                backlogLoads == 0 ? 0 : loadHours.Sum() / backlogLoads)
            {
                PlannedWaitHours = c.PlannedWaitHours,
                LegsRerouted = c.LegsRerouted,
                HiredTruckDays = hiredDays,
                HireCostUsd = hiredDays * spec.HireUsdPerDay,
            });
        }

        return fleets;
    }

    /// <summary>Whether any candidate route of the flow's loaded leg goes through gate <paramref name="gate"/>.</summary>
    private static bool FlowMayUse(CompiledNetwork network, FlowSpec flow, int gate)
    {
        var first = flow.LegStart[Leg.OriginToDestination];
        for (var i = first; i < first + flow.LegCount[Leg.OriginToDestination]; i++)
        {
            if (network.LegOptions[i].Gate == gate)
            {
                return true;
            }
        }

        return false;
    }

    private static GateResult BuildGate(GateModel gate, string[] commodities, TripResult trips)
    {
        var s = gate.Stats;
        var spec = gate.Spec;
        var posts = new List<PostResult>(2);
        double busy = 0;
        double open = 0;
        for (var p = 0; p < 2; p++)
        {
            var ps = s.Posts[p];
            busy += ps.BusyArea;
            open += ps.OpenLaneHours;
            posts.Add(new PostResult(
                spec.Posts[p].Country,
                spec.Posts[p].Lanes,
                ps.Served,
                ps.Served == 0 ? 0 : ps.WaitHoursSum / ps.Served,
                ps.Served == 0 ? 0 : ps.ServiceHoursSum / ps.Served,
                s.WindowHours == 0 ? 0 : ps.QueueArea / s.WindowHours,
                ps.OpenLaneHours == 0 ? 0 : ps.BusyArea / ps.OpenLaneHours,
                ps.RoadsideArea)
            {
                MeanOpeningWaitHours = ps.Served == 0 ? 0 : ps.OpeningWaitHoursSum / ps.Served,
                PersonsServed = ps.PersonsServed,
                MeanImmigrationWaitHours = ps.PersonsServed == 0 ? 0 : ps.ImmigrationWaitHoursSum / ps.PersonsServed,
            });
        }

        var traffic = Enum.GetValues<TrafficKind>();
        var trucksByTraffic = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var tonnesByTraffic = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in traffic)
        {
            var name = t.ToString().ToLowerInvariant();
            trucksByTraffic[name] = s.LoadedCrossingsByTraffic[(int)t];
            tonnesByTraffic[name] = s.KgByTraffic[(int)t] / 1000.0;
        }

        var imported = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var p = 0; p < 2; p++)
        {
            imported[spec.Posts[p].Country] = s.ValueByExitPost[p];
        }

        var byNationality = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (spec.Travellers is { } travellers)
        {
            for (var k = 0; k < travellers.Nationalities.Length; k++)
            {
                byNationality[travellers.Nationalities[k]] = s.PersonCrossingsByNationality[k];
            }
        }

        var byCommodity = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k < commodities.Length; k++)
        {
            byCommodity[commodities[k]] = s.KgByCommodity[k] / 1000.0;
        }

        return new GateResult(
            spec.Id,
            spec.Name,
            spec.Corridor,
            spec.GateClass,
            s.Crossings,
            s.LoadedCrossings,
            s.Kg / 1000.0,
            s.ValueUsd,
            s.Crossings == 0 ? 0 : s.CrossingHoursSum / s.Crossings,
            s.CrossingHours.Quantile(0.95),
            open == 0 ? 0 : busy / open,
            s.MaxQueue,
            s.WindowHours == 0 ? 0 : s.InGateArea / s.WindowHours,
            s.WindowHours,
            trips,
            posts,
            trucksByTraffic,
            tonnesByTraffic,
            imported,
            byCommodity)
        {
            Split = s.Crossings == 0
                ? CrossingSplit.None
                // Every truck drives the same transfer: its mean is that constant, not a sum divided back (whose rounding
                // would differ by a few ulps between scenarios and read as a "significant" change of nothing).
                : new CrossingSplit(s.OpeningWaitHoursSum / s.Crossings, s.QueueingHoursSum / s.Crossings, s.ServiceHoursSum / s.Crossings, spec.TransferHours),
            TurnedBackTrucks = s.TurnedBack,
            StrandedTruckHours = s.StrandedTruckHours,
            ArrivalDispersion = s.ArrivalDispersion(s.WindowHours),
            PersonCrossingsByNationality = byNationality,
            NonTruckVehicleCrossings = s.NonTruckCrossings,
            TransitDeclarations = s.Declarations,
            DeclaredTrips = s.DeclaredTrips,
            Travellers = new TravellerAccount(s.PersonsArrivedInRun, s.PersonsCrossedInRun, gate.PersonsInGate, s.VehiclesArrivedInRun, s.VehiclesCrossedInRun, gate.VehiclesInGate),
        };
    }
}
