using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>Resolves ids to indices and precomputes shortest road paths (Dijkstra by travel time) for the truck legs.</summary>
internal static class NetworkCompiler
{
    public static CompiledNetwork? Compile(ScenarioDefinition d, List<ScenarioError> errors)
    {
        var commodityIndex = Index(d.Commodities.Select(c => c.Id));
        var nodeIndex = Index(d.Nodes.Select(n => n.Id));
        var carrierIndex = Index(d.Carriers.Select(c => c.Id));
        var nodes = d.Nodes.Select(n => new NodeSpec(n.Id, n.Country)).ToArray();
        var commodities = d.Commodities.Select(c => c.Id).ToArray();
        var simStart = d.Settings.Start.AddDays(-d.Settings.WarmupDays);

        var gates = d.Gates.Select(g => CompileGate(g, commodityIndex, commodities.Length, simStart)).ToArray();

        // Graph points: nodes first, then two posts per gate.
        var pointCount = nodes.Length + (2 * gates.Length);
        var pointIndex = new Dictionary<string, int>(nodeIndex, StringComparer.Ordinal);
        for (var g = 0; g < gates.Length; g++)
        {
            for (var p = 0; p < 2; p++)
            {
                pointIndex[gates[g].Id + "." + gates[g].Posts[p].Country] = nodes.Length + (2 * g) + p;
            }
        }

        var adjacency = new List<(int To, double Km, double Kmh)>[pointCount];
        for (var i = 0; i < pointCount; i++)
        {
            adjacency[i] = [];
        }

        foreach (var road in d.Roads)
        {
            var a = pointIndex[road.From];
            var b = pointIndex[road.To];
            adjacency[a].Add((b, road.Km, road.Kmh));
            adjacency[b].Add((a, road.Km, road.Kmh));
        }

        // Shortest paths by travel time for a truck whose top speed caps the road's speed, cached per (point, top speed).
        var shortest = new Dictionary<(int Point, double TopKmh), (double[] Km, double[] Hours)>();
        Func<int, (double[] Km, double[] Hours)> Paths(double topKmh) => point =>
        {
            if (!shortest.TryGetValue((point, topKmh), out var result))
            {
                result = Dijkstra(adjacency, point, topKmh);
                shortest[(point, topKmh)] = result;
            }

            return result;
        };

        var carriers = new CarrierSpec[d.Carriers.Count];
        var firstTruck = 0;
        for (var i = 0; i < carriers.Length; i++)
        {
            var c = d.Carriers[i];
            carriers[i] = new CarrierSpec(c.Id, nodeIndex[c.Home], c.Trucks, firstTruck, (long)Math.Round(c.CapacityTonnes * 1000), c.TopSpeedKmh, c.CostPerKmUsd, c.CostPerHourUsd, c.LoadHours, c.UnloadHours, c.HandlingCv, c.TravelCv)
            {
                HireMaxTrucks = c.Hire?.MaxTrucks ?? 0,
                HireUsdPerDay = c.Hire?.UsdPerDay ?? 0,
                HireAfterHours = c.Hire?.AfterHours ?? 0,
                Backhaul = c.Backhaul,
            };
            firstTruck += carriers[i].Slots;
        }

        var runHours = (d.Settings.WarmupDays + d.Settings.Days) * 24.0;
        var options = new List<LegOption>();
        var flows = new FlowSpec[d.Flows.Count];
        for (var f = 0; f < flows.Length; f++)
        {
            var flow = d.Flows[f];
            var carrier = carriers[carrierIndex[flow.Carrier]];
            var origin = nodeIndex[flow.From];
            var destination = nodeIndex[flow.To];
            var legStart = new int[3];
            var legCount = new int[3];
            var preferred = new int[3];
            var ends = new (int From, int To)[] { (carrier.HomeNode, origin), (origin, destination), (destination, carrier.HomeNode) };
            for (var leg = 0; leg < 3; leg++)
            {
                legStart[leg] = options.Count;
                AddLegOptions(ends[leg].From, ends[leg].To, flow.Traffic, d, nodes, gates, nodes.Length, Paths(carrier.TopSpeedKmh), options);
                legCount[leg] = options.Count - legStart[leg];
                if (legCount[leg] == 0)
                {
                    errors.Add(new ScenarioError(flow.Location, $"flow '{flow.Id}': no road route from '{nodes[ends[leg].From].Id}' to '{nodes[ends[leg].To].Id}'"
                        + (nodes[ends[leg].From].Country != nodes[ends[leg].To].Country ? $" through a gate that allows {flow.Traffic.ToString().ToLowerInvariant()} traffic" : string.Empty)
                        + ": expected roads that connect them"));
                    continue;
                }

                preferred[leg] = PreferredOption(options, legStart[leg], legCount[leg], carrier, gates, runHours, leg == Leg.OriginToDestination ? commodityIndex[flow.Commodity] : -1);
            }

            var seasonMean = flow.Seasonality.Average();
            flows[f] = new FlowSpec(
                flow.Id,
                commodityIndex[flow.Commodity],
                origin,
                destination,
                carrierIndex[flow.Carrier],
                flow.Traffic,
                flow.TonnesPerYear * 1000.0 / (365.0 * 24.0),
                flow.Seasonality.Select(s => s / seasonMean).ToArray(),
                flow.DailyCv,
                flow.ValueUsdPerTonne / 1000.0,
                legStart,
                legCount,
                preferred);
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var network = new CompiledNetwork(d, commodities, nodes, gates, carriers, flows, [.. options]);
        return TradeResponse.Apply(network, errors);
    }

    private static void AddLegOptions(
        int from,
        int to,
        TrafficKind traffic,
        ScenarioDefinition d,
        NodeSpec[] nodes,
        GateSpec[] gates,
        int postBase,
        Func<int, (double[] Km, double[] Hours)> shortestFrom,
        List<LegOption> options)
    {
        if (from == to)
        {
            options.Add(new LegOption(-1, 0, 0, 0, 0, 0));
            return;
        }

        var fromCountry = nodes[from].Country;
        var toCountry = nodes[to].Country;
        var fromPaths = shortestFrom(from);
        if (fromCountry == toCountry)
        {
            if (double.IsFinite(fromPaths.Hours[to]))
            {
                options.Add(new LegOption(-1, 0, fromPaths.Km[to], fromPaths.Hours[to], 0, 0));
            }

            return;
        }

        for (var g = 0; g < gates.Length; g++)
        {
            if (!d.GateClasses.TryGetValue(gates[g].GateClass, out var allowed) || !allowed.Contains(traffic))
            {
                continue;
            }

            for (var entry = 0; entry < 2; entry++)
            {
                var exit = 1 - entry;
                if (gates[g].Posts[entry].Country != fromCountry || gates[g].Posts[exit].Country != toCountry)
                {
                    continue;
                }

                var entryPoint = postBase + (2 * g) + entry;
                var exitPoint = postBase + (2 * g) + exit;
                var onward = shortestFrom(exitPoint);
                if (double.IsFinite(fromPaths.Hours[entryPoint]) && double.IsFinite(onward.Hours[to]))
                {
                    options.Add(new LegOption(g, entry, fromPaths.Km[entryPoint], fromPaths.Hours[entryPoint], onward.Km[to], onward.Hours[to]));
                }
            }
        }
    }

    /// <summary>
    /// The option a carrier takes when every gate has no queue and none of its temporary closures: the reference for
    /// counting diversions. A gate closed for the whole run is no one's usual route, so it is never the reference.
    /// </summary>
    private static int PreferredOption(List<LegOption> options, int start, int count, CarrierSpec carrier, GateSpec[] gates, double runHours, int commodity)
    {
        var best = start;
        var bestCost = double.PositiveInfinity;
        for (var i = start; i < start + count; i++)
        {
            var o = options[i];
            if (o.Gate >= 0 && gates[o.Gate].ClosedThroughout(runHours))
            {
                continue;
            }

            var cost = StaticCost(o, carrier, gates, commodity);
            if (cost < bestCost)
            {
                bestCost = cost;
                best = i;
            }
        }

        return best - start;
    }

    /// <summary>A leg's cost with every gate open and empty, for a truck carrying <paramref name="commodity"/> (-1: empty).</summary>
    internal static double StaticCost(LegOption o, CarrierSpec carrier, GateSpec[] gates, int commodity) =>
        StaticMoney(o, carrier, gates, commodity) + (StaticHours(o, gates, commodity) * carrier.CostPerHourUsd);

    /// <summary>A leg's hours with every gate open and empty: the drive and the crossing with the cargo's own clearance.</summary>
    internal static double StaticHours(LegOption o, GateSpec[] gates, int commodity) =>
        o.Hours1 + o.Hours2 + (o.Gate >= 0 ? gates[o.Gate].CrossingHours(o.EntryPost, commodity) : 0);

    /// <summary>A leg's money apart from its hours: distance at the carrier's rate and the gate's fee for the truck.</summary>
    internal static double StaticMoney(LegOption o, CarrierSpec carrier, GateSpec[] gates, int commodity) =>
        ((o.Km1 + o.Km2) * carrier.CostPerKmUsd) + (o.Gate >= 0 ? gates[o.Gate].FeeFor(commodity >= 0) : 0);

    private static GateSpec CompileGate(GateDefinition g, Dictionary<string, int> commodityIndex, int commodityCount, DateOnly simStart)
    {
        var posts = g.Posts.Select(p =>
        {
            var mean = new double[commodityCount + 1];
            var cv = new double[commodityCount + 1];
            Array.Fill(mean, p.DefaultService.MeanMinutes / 60.0);
            Array.Fill(cv, p.DefaultService.Cv);
            foreach (var (commodity, service) in p.ServiceByCommodity)
            {
                mean[commodityIndex[commodity]] = service.MeanMinutes / 60.0;
                cv[commodityIndex[commodity]] = service.Cv;
            }

            var vehicle = p.VehicleService ?? p.DefaultService;
            return new PostSpec
            {
                Country = p.Country,
                Lanes = p.Lanes,
                OpenHour = p.OpenMinute / 60.0,
                CloseHour = p.CloseMinute / 60.0,
                HoldingCapacity = p.HoldingCapacity,
                ServiceMeanHours = mean,
                ServiceCv = cv,
                VehicleServiceMeanHours = vehicle.MeanMinutes / 60.0,
                VehicleServiceCv = vehicle.Cv,
                ImmigrationCounters = p.Immigration?.Counters ?? 0,
                ImmigrationMeanHours = (p.Immigration?.MeanSeconds ?? 0) / 3600.0,
                ImmigrationCv = p.Immigration?.Cv ?? 0,
                TripsPerDeclaration = p.TransitDeclarations?.TripsPerDeclaration ?? 0,
                DeclarationHours = (p.TransitDeclarations?.DeclarationMinutes ?? 0) / 60.0,
            };
        }).ToArray();
        if (posts.Length != 2)
        {
            throw new InvalidOperationException($"gate '{g.Id}' reached the compiler with {posts.Length} posts; the parser admits only two");
        }

        var ordered = g.Closures
            .Select(c => (Start: (c.From.DayNumber - simStart.DayNumber) * 24.0, End: (c.From.DayNumber - simStart.DayNumber + c.Days) * 24.0, c.NoticeDays))
            .OrderBy(c => c.Start)
            .ToArray();
        var closures = ordered.Select(c => (c.Start, c.End)).ToArray();

        // A planned closure is public from its notice on; an unplanned one (no notice) only once trucks find it.
        // One already in force when the run begins (a crossing point suspended for years) is public from the start.
        var announced = ordered.Select(c => c.NoticeDays > 0 ? c.Start - (c.NoticeDays * 24.0) : c.Start <= 0 ? c.Start : double.PositiveInfinity).ToArray();
        var transfer = g.TransferMinutes / 60.0;
        var baseHours = new double[2];
        for (var entry = 0; entry < 2; entry++)
        {
            // Mean clearance of an empty/default truck at both posts plus the move between them.
            baseHours[entry] = posts[entry].ServiceMeanHours[^1] + transfer + posts[1 - entry].ServiceMeanHours[^1];
        }

        return new GateSpec
        {
            Id = g.Id,
            Name = g.Name,
            Corridor = g.Corridor,
            GateClass = g.GateClass,
            FeeUsd = g.FeeUsd,
            FeeEmptyUsd = g.FeeEmptyUsd ?? g.FeeUsd,
            TransferHours = transfer,
            Posts = posts,
            Closures = closures,
            ClosureAnnouncedAt = announced,
            BaseCrossingHours = baseHours,
            Travellers = g.Travellers is { } t ? CompileTravellers(t, posts) : null,
        };
    }

    private static TravellerSpec? CompileTravellers(TravellersDefinition t, PostSpec[] posts)
    {
        var entryTotal = t.EntryWeights.Values.Sum();
        var vehiclesPerHour = new double[2];
        for (var p = 0; p < 2; p++)
        {
            var share = t.EntryWeights.GetValueOrDefault(posts[p].Country) / entryTotal;
            vehiclesPerHour[p] = t.PersonsPerYear * share / t.PersonsPerVehicle / (365.0 * 24.0);
        }

        if (vehiclesPerHour[0] + vehiclesPerHour[1] <= 0)
        {
            return null;
        }

        var weightTotal = t.Nationalities.Sum(n => n.Weight);
        var cumulative = new double[t.Nationalities.Count];
        var running = 0.0;
        for (var k = 0; k < cumulative.Length; k++)
        {
            running += t.Nationalities[k].Weight;
            cumulative[k] = running / weightTotal;
        }

        // Rounding must not leave a draw just below 1 with no nationality.
        cumulative[^1] = 1.0;
        return new TravellerSpec
        {
            VehiclesPerHour = vehiclesPerHour,
            PersonsPerVehicle = t.PersonsPerVehicle,
            Nationalities = [.. t.Nationalities.Select(n => n.Nationality)],
            NationalityCumulative = cumulative,
        };
    }

    private static (double[] Km, double[] Hours) Dijkstra(List<(int To, double Km, double Kmh)>[] adjacency, int source, double topKmh)
    {
        var n = adjacency.Length;
        var hours = new double[n];
        var km = new double[n];
        Array.Fill(hours, double.PositiveInfinity);
        Array.Fill(km, double.PositiveInfinity);
        hours[source] = 0;
        km[source] = 0;
        var queue = new PriorityQueue<int, double>();
        queue.Enqueue(source, 0);
        while (queue.TryDequeue(out var u, out var du))
        {
            if (du > hours[u])
            {
                continue;
            }

            foreach (var (v, edgeKm, roadKmh) in adjacency[u])
            {
                var candidate = du + (edgeKm / Math.Min(roadKmh, topKmh));
                if (candidate < hours[v])
                {
                    hours[v] = candidate;
                    km[v] = km[u] + edgeKm;
                    queue.Enqueue(v, candidate);
                }
            }
        }

        return (km, hours);
    }

    private static Dictionary<string, int> Index(IEnumerable<string> ids)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            map[id] = map.Count;
        }

        return map;
    }
}
