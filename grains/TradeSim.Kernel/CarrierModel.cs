using TradeSim.Kernel.Randomness;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// A carrier: a fleet of trucks with a home node. A truck cycles home -> origin (empty) -> load -> gate -> both
/// posts -> destination -> unload -> gate again (empty) -> home, choosing a gate for each border leg by generalised
/// cost (distance, hours at the carrier's rate and the cargo's value of time, fees, the posts' hours, the gate's
/// announced queue and closures) through a multinomial logit. A truck that finds its gate closed turns back and
/// reroutes when waiting would cost more. A carrier that backhauls has a truck that unloaded where its cargo waits
/// load there instead of returning empty; a carrier that hires adds trucks of its own home while its cargo waits too
/// long, and lets them go when they come home to none. The trucks' state, hire slots included, is struct-of-arrays,
/// allocated once; a step touches each truck once and allocates nothing.
/// </summary>
internal sealed class CarrierModel
{
    private const byte PhaseIdle = 0;
    private const byte PhaseDriving = 1;
    private const byte PhaseAtGate = 2;
    private const byte PhaseLoading = 3;
    private const byte PhaseUnloading = 4;

    private readonly CarrierSpec _spec;
    private readonly FlowSpec[] _flows;
    private readonly LegOption[] _options;
    private readonly GateSpec[] _gates;
    private readonly RandomStream _travel;
    private readonly RandomStream _handling;
    private readonly RandomStream _route;
    private readonly double _warmupEnd;
    private readonly double _dispersionUsd;
    private readonly double _cargoTimeCostPerUsdHour;
    private readonly bool _turnBack;

    // Closures this carrier's own trucks have found (the gate's bulletin tells everyone a step later).
    private readonly double[] _knownClosedUntil;

    // The cost of each candidate route of the leg being chosen: scratch, sized by the most candidates a leg has.
    private readonly double[] _candidateCost;

    // Truck state, struct-of-arrays, indexed by the truck's local index.
    private readonly byte[] _phase;
    private readonly byte[] _leg;
    private readonly byte[] _segment;
    private readonly double[] _nextTime;
    private readonly int[] _flow;
    private readonly int[] _option;
    private readonly long[] _loadKg;
    private readonly long[] _shipmentKg;
    private readonly double[] _idleSince;
    private readonly double[] _phaseStart;
    private readonly double[] _gateArrival;
    private readonly double[] _borderHours;
    private readonly double[] _dispatchedAt;
    private readonly double[] _extraKm;
    private readonly bool[] _plans;

    private readonly WaitingCargo _waiting;

    // Own trucks idle at home, in the order they came home.
    private Ring<int> _idle;

    // Hire slots follow the own trucks (local indices Trucks to Slots - 1). Free slots wait in _freeHireSlots; hired
    // trucks that came home to waiting cargo in _idleHired, for the rest of the step; _hiredSince (by slot - Trucks)
    // is when each was hired, NaN while its slot is free.
    private Ring<int> _freeHireSlots;
    private Ring<int> _idleHired;
    private readonly double[] _hiredSince;

    /// <summary>Truck-days in the window of hires that have ended.</summary>
    private long _releasedHireDays;

    // By node: the carrier's loads waiting there, and (for a carrier that backhauls) its loaded trucks heading there
    // away from home, each of which will take a load back; trucks at home leave that many loads to them.
    private readonly long[] _waitingAt;
    private readonly int[] _inbound;

    // handOverFlows: this carrier's flows (global indices) in the order their provinces hand cargo over;
    // handOverPosition: every flow's position in its own carrier's hand-over order.
    public CarrierModel(CarrierSpec spec, FlowSpec[] flows, int[] handOverFlows, int[] handOverPosition, LegOption[] options, GateSpec[] gates, int commodityCount, ulong seed, int replication, double warmupEnd, RunSettingsDefinition settings)
    {
        _spec = spec;
        _flows = flows;
        _options = options;
        _gates = gates;
        _warmupEnd = warmupEnd;
        _travel = RandomStream.For(seed, replication, spec.Id, "travel");
        _handling = RandomStream.For(seed, replication, spec.Id, "handling");
        _route = RandomStream.For(seed, replication, spec.Id, "route");
        _dispersionUsd = settings.RouteDispersionUsd;
        _cargoTimeCostPerUsdHour = settings.CargoValueOfTimePctPerDay / 100.0 / 24.0;
        _turnBack = settings.TurnBack;
        _knownClosedUntil = new double[gates.Length];
        Array.Fill(_knownClosedUntil, double.NegativeInfinity);
        _candidateCost = new double[Math.Max(1, flows.SelectMany(f => f.LegCount).DefaultIfEmpty(1).Max())];
        var n = spec.Slots;
        _phase = new byte[n];
        _leg = new byte[n];
        _segment = new byte[n];
        _nextTime = new double[n];
        _flow = new int[n];
        _option = new int[n];
        _loadKg = new long[n];
        _shipmentKg = new long[n];
        _idleSince = new double[n];
        _phaseStart = new double[n];
        _gateArrival = new double[n];
        _borderHours = new double[n];
        _dispatchedAt = new double[n];
        _extraKm = new double[n];

        // Which trucks' drivers plan their departures against the posts' hours: spread evenly through the fleet (a
        // golden-ratio sequence), so any share picks the same trucks in every run and a larger share adds trucks.
        _plans = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var position = (i + 1) * 0.6180339887498949;
            _plans[i] = position - Math.Floor(position) < settings.PlanningShare;
        }
        _idle = new Ring<int>(spec.Trucks);
        _freeHireSlots = new Ring<int>(spec.HireMaxTrucks);
        _idleHired = new Ring<int>(spec.HireMaxTrucks);
        _hiredSince = new double[spec.HireMaxTrucks];
        for (var i = 0; i < n; i++)
        {
            _nextTime[i] = double.PositiveInfinity;
            if (i < spec.Trucks)
            {
                _idle.Enqueue(i);
            }
            else
            {
                _freeHireSlots.Enqueue(i);
                _hiredSince[i - spec.Trucks] = double.NaN;
            }
        }

        _waiting = new WaitingCargo(handOverFlows, handOverPosition);
        var nodes = spec.HomeNode + 1;
        foreach (var f in flows)
        {
            nodes = Math.Max(nodes, Math.Max(f.Origin, f.Destination) + 1);
        }

        _waitingAt = new long[nodes];
        _inbound = new int[nodes];
        ShipmentInbox = new GrowableBuffer<ShipmentMessage>(16);
        ReleaseInbox = new GrowableBuffer<GateReleaseMessage>(16);
        Outbox = new GrowableBuffer<GateArrivalMessage>(16);
        DeliveredKg = new long[commodityCount];
        DeliveredKgInWindow = new long[commodityCount];
        DeliveredValueInWindow = new double[commodityCount];
        AwaitingPickupKg = new long[commodityCount];
        LoadedTripsByGate = new LoadedTripStatistics[gates.Length + 1];
        KgByFlowAndGate = new long[flows.Length * (gates.Length + 1)];
    }

    public CarrierSpec Spec => _spec;

    public GrowableBuffer<ShipmentMessage> ShipmentInbox;

    public GrowableBuffer<GateReleaseMessage> ReleaseInbox;

    public GrowableBuffer<GateArrivalMessage> Outbox;

    public long[] DeliveredKg { get; }

    public long[] DeliveredKgInWindow { get; }

    public double[] DeliveredValueInWindow { get; }

    /// <summary>Handed over by a province but not yet loaded (in the backlog or awaiting a truck on its way).</summary>
    public long[] AwaitingPickupKg { get; }

    public long TripsDelivered { get; private set; }

    /// <summary>
    /// Loaded legs (origin to destination) that ended in the window, by the gate they crossed; the last entry holds
    /// legs that crossed no gate. The ADB CAREC corridor indicators are built from these.
    /// </summary>
    public LoadedTripStatistics[] LoadedTripsByGate { get; }

    /// <summary>Kilograms delivered in the window by flow and gate crossed: index flow * (gates + 1) + gate, the last gate slot meaning none.</summary>
    public long[] KgByFlowAndGate { get; }

    /// <summary>
    /// What the fleet spent in the window: distance at the per-km rate, every hour on the road, at gates and loading at
    /// the hourly rate, and gate fees (the empty fee on empty legs). Hired trucks' day rate is not in it: see <see cref="HiredTruckDaysInWindow"/>.
    /// </summary>
    public double OperatingCostUsd { get; private set; }

    public double KmDriven { get; private set; }

    public long LegsThroughGates { get; private set; }

    public long LegsDiverted { get; private set; }

    /// <summary>Truck-hours in the window that planning drivers waited at the start of a leg so as to reach the gate when its posts are open.</summary>
    public double PlannedWaitHours { get; private set; }

    /// <summary>Legs in the window whose truck turned back from a closed gate and took another route.</summary>
    public long LegsRerouted { get; private set; }

    /// <summary>The carrier's own trucks (hire slots are not counted).</summary>
    public int TruckCount => _spec.Trucks;

    /// <summary>Truck-hours of idleness in the window that ended before now (trucks idle now are added by <see cref="IdleTruckHoursInWindow"/>).</summary>
    private double _idleTruckHours;

    /// <summary>Round trips (dispatch from home to idle at home again) that ended in the window, and their hours.</summary>
    public long RoundTrips { get; private set; }

    public double RoundTripHoursSum { get; private set; }

    /// <summary>Kilometres driven empty in the window (to the origin, and home from the destination).</summary>
    public double EmptyKmDriven { get; private set; }

    /// <summary>Truck-hours the fleet's own trucks spent idle at home in the window up to <paramref name="end"/>.</summary>
    public double IdleTruckHoursInWindow(double end)
    {
        var hours = _idleTruckHours;
        for (var i = 0; i < _spec.Trucks; i++)
        {
            if (_phase[i] == PhaseIdle)
            {
                hours += Overlap(_idleSince[i], end);
            }
        }

        return hours;
    }

    /// <summary>
    /// Truck-days hired in the window up to <paramref name="now"/>: each hire's hours in the window rounded up to whole
    /// days (a day or part of one is paid as a day), those still hired counted to <paramref name="now"/>.
    /// </summary>
    public long HiredTruckDaysInWindow(double now)
    {
        var days = _releasedHireDays;
        foreach (var since in _hiredSince)
        {
            if (!double.IsNaN(since))
            {
                days += HireDays(since, now);
            }
        }

        return days;
    }

    /// <summary>Adds, per flow, the loads handed over and not yet picked up at <paramref name="now"/> and their load-hours of waiting.</summary>
    public void AddBacklog(double now, long[] loadsByFlow, double[] loadHoursByFlow) => _waiting.AddBacklog(now, loadsByFlow, loadHoursByFlow);

    /// <summary>Hours of [from, to] inside the statistics window.</summary>
    private double Overlap(double from, double to) => Math.Max(0, to - Math.Max(from, _warmupEnd));

    public void Step(double t0, double t1, GateBulletin[] bulletin)
    {
        Outbox.Clear();
        for (var i = 0; i < ShipmentInbox.Count; i++)
        {
            ref readonly var m = ref ShipmentInbox[i];
            _waiting.Add(m.Flow, m.Loads, m.ReadyTime);
            _waitingAt[_flows[m.Flow].Origin] += m.Loads;
            AwaitingPickupKg[_flows[m.Flow].Commodity] += m.Loads * _spec.CapacityKg;
        }

        ShipmentInbox.Clear();
        for (var i = 0; i < ReleaseInbox.Count; i++)
        {
            ref readonly var r = ref ReleaseInbox[i];
            var truck = r.Truck - _spec.FirstTruck;
            ref readonly var o = ref _options[_option[truck]];
            if (r.TurnedBack)
            {
                // Back the way it came, to the leg's start, where it chooses again knowing the closure.
                _knownClosedUntil[r.Gate] = Math.Max(_knownClosedUntil[r.Gate], _gates[r.Gate].ClosureEndAt(r.Time));
                _extraKm[truck] += 2 * o.Km1;
                _phase[truck] = PhaseDriving;
                _segment[truck] = 2;
                _nextTime[truck] = r.Time + (o.Hours1 * TravelFactor());
                continue;
            }

            _borderHours[truck] = r.Time - _gateArrival[truck];
            _phase[truck] = PhaseDriving;
            _segment[truck] = 1;
            _nextTime[truck] = r.Time + (o.Hours2 * TravelFactor());
        }

        ReleaseInbox.Clear();

        var n = _phase.Length;
        for (var i = 0; i < n; i++)
        {
            if (_nextTime[i] < t1)
            {
                Advance(i, t1, bulletin);
            }
        }

        // Trucks at home take the oldest loads they may go for: own trucks idle at home first, then hired trucks back
        // home; a load that has waited longer than the carrier lets cargo wait gets a newly hired truck while the
        // carrier may hire more.
        while (!_waiting.IsEmpty && (_idle.Count > 0 || _idleHired.Count > 0 || _freeHireSlots.Count > 0))
        {
            var oldest = _waiting.Oldest(new ForTruckAtHome(_flows, _waitingAt, _inbound));
            if (oldest < 0)
            {
                break;
            }

            int truck;
            if (_idle.Count > 0)
            {
                truck = _idle.Dequeue();
            }
            else if (_idleHired.Count > 0)
            {
                truck = _idleHired.Dequeue();
            }
            else if (_waiting.ReadyTimeOf(oldest) + _spec.HireAfterHours < t1)
            {
                truck = Hire(Math.Max(t0, _waiting.ReadyTimeOf(oldest) + _spec.HireAfterHours));
            }
            else
            {
                break;
            }

            var (flow, readyTime) = TakeLoad(oldest);
            _flow[truck] = flow;
            _shipmentKg[truck] = _spec.CapacityKg;
            var start = Math.Max(t0, Math.Max(readyTime, _idleSince[truck]));
            if (truck < _spec.Trucks)
            {
                _idleTruckHours += Overlap(_idleSince[truck], start);
            }

            _dispatchedAt[truck] = start;
            StartLeg(truck, Leg.HomeToOrigin, start, bulletin);
            if (_nextTime[truck] < t1)
            {
                Advance(truck, t1, bulletin);
            }
        }

        // Hired trucks that came home to no waiting cargo are let go.
        while (_idleHired.Count > 0)
        {
            Release(_idleHired.Dequeue());
        }
    }

    /// <summary>Takes the oldest load of a flow (a local index of the waiting cargo).</summary>
    private (int Flow, double ReadyTime) TakeLoad(int local)
    {
        var load = _waiting.Take(local);
        _waitingAt[_flows[load.Flow].Origin]--;
        return load;
    }

    /// <summary>Takes a free hire slot: a truck at home from <paramref name="time"/>.</summary>
    private int Hire(double time)
    {
        var truck = _freeHireSlots.Dequeue();
        _hiredSince[truck - _spec.Trucks] = time;
        _idleSince[truck] = time;
        return truck;
    }

    /// <summary>Lets a hired truck go when it came home, paying its days in the window.</summary>
    private void Release(int truck)
    {
        ref var since = ref _hiredSince[truck - _spec.Trucks];
        _releasedHireDays += HireDays(since, _idleSince[truck]);
        since = double.NaN;
        _freeHireSlots.Enqueue(truck);
    }

    /// <summary>Days, a part of one counting whole, of a hire from <paramref name="from"/> to <paramref name="to"/> inside the window.</summary>
    private long HireDays(double from, double to) => (long)Math.Ceiling(Overlap(from, to) / 24.0);

    /// <summary>Adds loaded kilograms on the road and at gates, per commodity, for the conservation account.</summary>
    public void AddLoadedKg(long[] inTransit, long[] atGates)
    {
        for (var i = 0; i < _phase.Length; i++)
        {
            if (_loadKg[i] == 0)
            {
                continue;
            }

            var commodity = _flows[_flow[i]].Commodity;
            if (_phase[i] == PhaseAtGate)
            {
                atGates[commodity] += _loadKg[i];
            }
            else
            {
                inTransit[commodity] += _loadKg[i];
            }
        }
    }

    private void Advance(int truck, double t1, GateBulletin[] bulletin)
    {
        while (_nextTime[truck] < t1)
        {
            var now = _nextTime[truck];
            switch (_phase[truck])
            {
                case PhaseDriving:
                    ref readonly var o = ref _options[_option[truck]];
                    if (_segment[truck] == 0 && o.Gate >= 0)
                    {
                        ArriveAtGate(truck, o, now, bulletin);
                    }
                    else if (_segment[truck] == 2)
                    {
                        StartLeg(truck, _leg[truck], now, bulletin, rerouting: true);
                    }
                    else
                    {
                        EndLeg(truck, now);
                    }

                    break;
                case PhaseLoading:
                    {
                        var flow = _flows[_flow[truck]];
                        AddHandlingCost(truck, now);
                        _loadKg[truck] = _shipmentKg[truck];
                        AwaitingPickupKg[flow.Commodity] -= _shipmentKg[truck];
                        _shipmentKg[truck] = 0;
                        if (_spec.Backhaul && flow.Destination != _spec.HomeNode)
                        {
                            _inbound[flow.Destination]++;
                        }

                        StartLeg(truck, Leg.OriginToDestination, now, bulletin);
                        break;
                    }

                case PhaseUnloading:
                    {
                        var flow = _flows[_flow[truck]];
                        AddHandlingCost(truck, now);
                        var kg = _loadKg[truck];
                        DeliveredKg[flow.Commodity] += kg;
                        if (now >= _warmupEnd)
                        {
                            DeliveredKgInWindow[flow.Commodity] += kg;
                            DeliveredValueInWindow[flow.Commodity] += kg * flow.ValueUsdPerKg;
                            TripsDelivered++;
                        }

                        _loadKg[truck] = 0;
                        if (_spec.Backhaul && flow.Destination != _spec.HomeNode)
                        {
                            _inbound[flow.Destination]--;
                        }

                        if (!TakeReturnLoad(truck, flow.Destination, now))
                        {
                            StartLeg(truck, Leg.DestinationToHome, now, bulletin);
                        }

                        break;
                    }

                default:
                    throw new InvalidOperationException($"carrier '{_spec.Id}' truck {truck} has an event in phase {_phase[truck]}");
            }
        }
    }

    private void ArriveAtGate(int truck, in LegOption o, double now, GateBulletin[] bulletin)
    {
        var flow = _flows[_flow[truck]];
        var loaded = _loadKg[truck] > 0;
        var maxClosureWait = MaxClosureWaitHours(truck, o, now, bulletin);
        Outbox.Add(new GateArrivalMessage(
            o.Gate,
            o.EntryPost,
            _spec.FirstTruck + truck,
            now,
            loaded ? flow.Commodity : -1,
            _loadKg[truck],
            _loadKg[truck] * flow.ValueUsdPerKg,
            flow.Traffic,
            maxClosureWait,
            _flow[truck]));
        _phase[truck] = PhaseAtGate;
        _nextTime[truck] = double.PositiveInfinity;
        _gateArrival[truck] = now;
    }

    private void EndLeg(int truck, double now)
    {
        AccountLeg(truck, now);
        _extraKm[truck] = 0;
        _phaseStart[truck] = now;
        switch (_leg[truck])
        {
            case Leg.HomeToOrigin:
                _phase[truck] = PhaseLoading;
                _nextTime[truck] = now + _handling.Positive(_spec.LoadHours, _spec.HandlingCv);
                break;
            case Leg.OriginToDestination:
                _phase[truck] = PhaseUnloading;
                _nextTime[truck] = now + _handling.Positive(_spec.UnloadHours, _spec.HandlingCv);
                break;
            default:
                _phase[truck] = PhaseIdle;
                _nextTime[truck] = double.PositiveInfinity;
                _idleSince[truck] = now;
                if (truck < _spec.Trucks)
                {
                    _idle.Enqueue(truck);
                }
                else
                {
                    _idleHired.Enqueue(truck);
                }

                if (now >= _warmupEnd)
                {
                    RoundTrips++;
                    RoundTripHoursSum += now - _dispatchedAt[truck];
                }

                break;
        }
    }

    /// <summary>
    /// Backhaul: a truck of a carrier that backhauls, unloaded at <paramref name="node"/> away from home, takes the
    /// oldest load of the carrier's waiting there and loads it (waiting, at the hourly cost, for one not ready yet)
    /// instead of driving home empty. False when the truck should drive home.
    /// </summary>
    private bool TakeReturnLoad(int truck, int node, double now)
    {
        if (!_spec.Backhaul || node == _spec.HomeNode)
        {
            return false;
        }

        var local = _waiting.Oldest(new FromNode(_flows, node));
        if (local < 0)
        {
            return false;
        }

        var (flow, readyTime) = TakeLoad(local);
        _flow[truck] = flow;
        _shipmentKg[truck] = _spec.CapacityKg;
        _phase[truck] = PhaseLoading;
        _phaseStart[truck] = now;
        _nextTime[truck] = Math.Max(now, readyTime) + _handling.Positive(_spec.LoadHours, _spec.HandlingCv);
        return true;
    }

    private void StartLeg(int truck, int leg, double now, GateBulletin[] bulletin, bool rerouting = false)
    {
        var flow = _flows[_flow[truck]];
        var first = flow.LegStart[leg];
        var count = flow.LegCount[leg];
        var commodity = leg == Leg.OriginToDestination ? flow.Commodity : -1;
        var hourly = HourlyCost(truck);
        var chosen = first;
        if (count > 1 || _options[first].Gate >= 0)
        {
            chosen = ChooseRoute(first, count, now, bulletin, commodity, hourly, exceptGate: -1);
            if (now >= _warmupEnd)
            {
                var preferred = first + flow.PreferredOption[leg];
                if (!rerouting)
                {
                    LegsThroughGates++;
                    if (chosen != preferred)
                    {
                        LegsDiverted++;
                    }
                }
                else
                {
                    LegsRerouted++;
                    if (chosen != preferred && _option[truck] == preferred)
                    {
                        LegsDiverted++;
                    }
                }
            }
        }

        ref readonly var o = ref _options[chosen];
        var departure = now;
        if (_plans[truck] && o.Gate >= 0)
        {
            // A planning driver leaves late enough to reach the gate when the entry post opens, and not to be caught
            // between the posts by the exit post's closing: the wait happens at the start of the leg, not in the queue.
            var arrival = now + o.Hours1;
            var entered = OpenAt(o.Gate, o.EntryPost, now, arrival, bulletin);
            var crossing = ExpectedCrossingHours(o, bulletin, commodity);
            var left = OpenAt(o.Gate, 1 - o.EntryPost, now, entered + crossing, bulletin);
            departure = now + (OpenAt(o.Gate, o.EntryPost, now, left - crossing, bulletin) - arrival);
            PlannedWaitHours += Overlap(now, departure);
        }

        _leg[truck] = (byte)leg;
        _option[truck] = chosen;
        if (!rerouting)
        {
            _phaseStart[truck] = now;
        }

        _borderHours[truck] = 0;
        _segment[truck] = 0;
        _phase[truck] = PhaseDriving;
        _nextTime[truck] = departure + (o.Hours1 * TravelFactor());
    }

    /// <summary>
    /// Picks one of the <paramref name="count"/> candidate routes from <paramref name="first"/> (skipping those through
    /// <paramref name="exceptGate"/>) by multinomial logit on generalised cost: probability proportional to
    /// exp(-cost / dispersion). With no dispersion the cheapest route, the first among equals.
    /// </summary>
    private int ChooseRoute(int first, int count, double now, GateBulletin[] bulletin, int commodity, double hourly, int exceptGate)
    {
        var best = -1;
        var bestCost = double.PositiveInfinity;
        for (var i = 0; i < count; i++)
        {
            var o = _options[first + i];
            var cost = o.Gate >= 0 && o.Gate == exceptGate ? double.PositiveInfinity : RouteCost(o, now, bulletin, commodity, hourly);
            _candidateCost[i] = cost;
            if (cost < bestCost)
            {
                bestCost = cost;
                best = i;
            }
        }

        if (best < 0 || _dispersionUsd <= 0 || count == 1)
        {
            return first + Math.Max(0, best);
        }

        var total = 0.0;
        for (var i = 0; i < count; i++)
        {
            _candidateCost[i] = Math.Exp(-(_candidateCost[i] - bestCost) / _dispersionUsd);
            total += _candidateCost[i];
        }

        var draw = _route.NextDouble() * total;
        for (var i = 0; i < count; i++)
        {
            draw -= _candidateCost[i];
            if (draw < 0 && _candidateCost[i] > 0)
            {
                return first + i;
            }
        }

        return first + best;
    }

    /// <summary>The hourly cost a route choice weighs time at: the carrier's rate plus the load's value of time.</summary>
    private double HourlyCost(int truck) => _spec.CostPerHourUsd + (_loadKg[truck] * _flows[_flow[truck]].ValueUsdPerKg * _cargoTimeCostPerUsdHour);

    /// <summary>The announced hours behind both posts' queues and between them, plus the truck's own clearance.</summary>
    private double ExpectedCrossingHours(in LegOption o, GateBulletin[] bulletin, int commodity)
    {
        ref readonly var b = ref bulletin[o.Gate];
        return (o.EntryPost == 0 ? b.ExpectedHoursEnteringPost0 : b.ExpectedHoursEnteringPost1) + _gates[o.Gate].ClearanceHours(o.EntryPost, commodity);
    }

    /// <summary>
    /// Generalised cost in USD: distance at the carrier's rate, the gate fee, and hours at <paramref name="hourly"/>:
    /// driving, any closure known at <paramref name="now"/> still in force on arrival (announced in advance, found by
    /// trucks, or met by this carrier's own), the wait for the entry post's daily opening, the announced wait (each
    /// queued truck at its own cargo's service time), the truck's own clearance for its cargo
    /// (<paramref name="commodity"/>, -1 when empty) and the exit post's opening when the truck gets there.
    /// </summary>
    private double RouteCost(in LegOption o, double now, GateBulletin[] bulletin, int commodity, double hourly)
    {
        var hours = o.Hours1 + o.Hours2;
        var cost = (o.Km1 + o.Km2) * _spec.CostPerKmUsd;
        if (o.Gate >= 0)
        {
            var gate = _gates[o.Gate];
            var arrival = now + o.Hours1;
            var entered = OpenAt(o.Gate, o.EntryPost, now, arrival, bulletin);
            var left = OpenAt(o.Gate, 1 - o.EntryPost, now, entered + ExpectedCrossingHours(o, bulletin, commodity), bulletin);
            hours += left - arrival;
            cost += gate.FeeFor(commodity >= 0);
        }

        return cost + (hours * hourly);
    }

    /// <summary>
    /// The first time from <paramref name="time"/> on that <paramref name="post"/> of <paramref name="gateIndex"/> is
    /// within its daily hours and under no closure known at <paramref name="now"/>: announced in advance, found by
    /// trucks (the bulletin) or met by this carrier's own trucks.
    /// </summary>
    private double OpenAt(int gateIndex, int post, double now, double time, GateBulletin[] bulletin)
    {
        var gate = _gates[gateIndex];
        var known = Math.Max(bulletin[gateIndex].ClosedUntil, _knownClosedUntil[gateIndex]);
        var t = time;

        // Opening hours and closures can push each other on (a closure ending at night): a few rounds settle it.
        for (var round = 0; round < 4; round++)
        {
            var closedFor = Math.Max(Math.Max(0, known - t), gate.AnnouncedClosureWait(now, t));
            var opening = gate.Posts[post].HoursUntilOpen(t + closedFor);
            if (closedFor + opening == 0)
            {
                break;
            }

            t += closedFor + opening;
        }

        return t;
    }

    /// <summary>
    /// The longest closure a truck arriving at its gate would wait out: beyond it, driving back to the leg's start and
    /// taking the best route through another gate costs less than waiting. +infinity when the gate never closes or
    /// the leg has no other gate.
    /// </summary>
    private double MaxClosureWaitHours(int truck, in LegOption o, double now, GateBulletin[] bulletin)
    {
        var gate = _gates[o.Gate];
        if (!_turnBack || gate.Closures.Length == 0)
        {
            return double.PositiveInfinity;
        }

        var flow = _flows[_flow[truck]];
        var leg = _leg[truck];
        var count = flow.LegCount[leg];
        if (count == 1)
        {
            return double.PositiveInfinity;
        }

        var commodity = leg == Leg.OriginToDestination ? flow.Commodity : -1;
        var hourly = HourlyCost(truck);
        if (hourly <= 0)
        {
            return double.PositiveInfinity;
        }

        var first = flow.LegStart[leg];
        var back = (o.Hours1 * hourly) + (o.Km1 * _spec.CostPerKmUsd);
        var other = double.PositiveInfinity;
        for (var i = first; i < first + count; i++)
        {
            if (_options[i].Gate != o.Gate)
            {
                other = Math.Min(other, RouteCost(_options[i], now + o.Hours1, bulletin, commodity, hourly));
            }
        }

        var stay = ((ExpectedCrossingHours(o, bulletin, commodity) + o.Hours2) * hourly) + (o.Km2 * _spec.CostPerKmUsd) + gate.FeeFor(commodity >= 0);
        return (back + other - stay) / hourly;
    }

    /// <summary>Costs a finished leg at the carrier's rates and, for a loaded leg, adds it to the trip statistics of the gate it crossed.</summary>
    private void AccountLeg(int truck, double now)
    {
        if (now < _warmupEnd)
        {
            return;
        }

        ref readonly var o = ref _options[_option[truck]];
        var km = o.Km1 + o.Km2 + _extraKm[truck];
        var hours = now - _phaseStart[truck];
        var fee = o.Gate >= 0 ? _gates[o.Gate].FeeFor(_loadKg[truck] > 0) : 0;
        var cost = (km * _spec.CostPerKmUsd) + (hours * _spec.CostPerHourUsd) + fee;
        OperatingCostUsd += cost;
        KmDriven += km;
        if (_loadKg[truck] == 0)
        {
            EmptyKmDriven += km;
        }
        if (_leg[truck] != Leg.OriginToDestination)
        {
            return;
        }

        var gateSlot = o.Gate >= 0 ? o.Gate : _gates.Length;
        var border = _borderHours[truck];
        ref var trips = ref LoadedTripsByGate[gateSlot];
        trips.Legs++;
        trips.Km += km;
        trips.Tonnes += _loadKg[truck] / 1000.0;
        trips.TonneKm += _loadKg[truck] / 1000.0 * km;
        trips.Hours += hours;
        trips.BorderHours += border;
        trips.CostUsd += cost;
        trips.CrossingCostUsd += fee + (border * _spec.CostPerHourUsd);
        KgByFlowAndGate[(_flow[truck] * (_gates.Length + 1)) + gateSlot] += _loadKg[truck];
    }

    private void AddHandlingCost(int truck, double now)
    {
        if (now >= _warmupEnd)
        {
            OperatingCostUsd += (now - _phaseStart[truck]) * _spec.CostPerHourUsd;
        }
    }

    private double TravelFactor() => _travel.Positive(1.0, _spec.TravelCv);
}

/// <summary>
/// The loads a truck at home may drive out for: every load, except that a carrier that backhauls leaves the loads
/// waiting at a node to its loaded trucks heading there (<paramref name="inbound"/>, one load each).
/// </summary>
internal readonly struct ForTruckAtHome(FlowSpec[] flows, long[] waitingAt, int[] inbound) : IFlowFilter
{
    public bool Admits(int flow)
    {
        var origin = flows[flow].Origin;
        return waitingAt[origin] > inbound[origin];
    }
}

/// <summary>The loads of flows from one node: what a truck that unloaded there may take back.</summary>
internal readonly struct FromNode(FlowSpec[] flows, int node) : IFlowFilter
{
    public bool Admits(int flow) => flows[flow].Origin == node;
}

/// <summary>
/// Sums over loaded legs (origin to destination) that ended in the statistics window. Hours run from leaving the
/// origin to reaching the destination and include the gate; border hours are arrival at the first post to release
/// from the second; the crossing cost is the gate fee plus the border hours at the carrier's hourly rate.
/// </summary>
internal struct LoadedTripStatistics
{
    public long Legs;
    public double Km;
    public double Tonnes;
    public double TonneKm;
    public double Hours;
    public double BorderHours;
    public double CostUsd;
    public double CrossingCostUsd;
}
