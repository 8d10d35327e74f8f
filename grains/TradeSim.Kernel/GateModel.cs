using TradeSim.Kernel.Randomness;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// A border gate: a pair of posts, one per country. Each post has lanes, opening hours and a FIFO queue; a truck is
/// served at the post it enters by, moves across, and is served at the other post. Inside a step the gate runs its own
/// small discrete-event loop in continuous time (arrivals, service completions, openings), so waiting times do not
/// depend on the step length. Arrivals come in through <see cref="Inbox"/>; released trucks go out through
/// <see cref="Outbox"/>. A gate with travellers also runs their arrivals: non-truck vehicles join the trucks' lanes and
/// queues (the gate owns them from arrival to release), and their persons queue at each post's immigration counters, a
/// resource of their own. Persons and vehicles are slots in pools that grow only to the most at the gate at once.
/// </summary>
internal sealed class GateModel
{
    private const int EventArrival = 0;
    private const int EventCompletion = 1;
    private const int EventWake = 2;
    private const int EventReleaseAfterClosure = 3;
    private const int EventClosureStart = 4;
    private const int EventClosureEnd = 5;
    private const int EventTravellers = 6;
    private const int EventPersonArrival = 7;
    private const int EventCounterDone = 8;

    /// <summary>The commodity of a visit that is a non-truck vehicle (-1 is an empty truck).</summary>
    private const int NonTruckVehicle = -2;

    private readonly GateSpec _spec;
    private readonly RandomStream[] _serviceStreams;
    private readonly double _warmupEnd;
    private readonly int _commodityEmpty;
    private readonly int _serviceVehicle;

    // Per post, mean service hours and cv by service index: commodities, then empty trucks, then non-truck vehicles.
    private readonly double[][] _serviceMean = new double[2][];
    private readonly double[][] _serviceCv = new double[2][];

    // Non-truck vehicles queued at each post: the trucks' queue is the rest.
    private readonly int[] _queuedVehicles = new int[2];

    // Travellers (null without): per entry post the arrival stream, per post the immigration and vehicle-check streams.
    private readonly TravellerSpec? _travellers;
    private readonly RandomStream[]? _arrivalStreams;
    private readonly RandomStream[]? _immigrationStreams;
    private readonly RandomStream[]? _vehicleStreams;
    private PersonVisit[] _persons = [];
    private Ring<int> _freePersons;
    private readonly Ring<int>[] _counterQueues = new Ring<int>[2];
    private readonly int[] _busyCounters = new int[2];

    // Customs lots per post and flow (the last entry for trucks of no known flow): trips lodged and declarations lodged.
    private readonly long[][] _lotTrips = new long[2][];
    private readonly long[][] _lots = new long[2][];

    private readonly Ring<int>[] _queues = new Ring<int>[2];
    private readonly int[] _busyLanes = new int[2];

    // Per post, the mean service hours of the trucks queued there, each at its own cargo's: what the bulletin announces.
    private readonly double[] _queuedServiceHours = new double[2];
    private readonly bool[] _wakeScheduled = new bool[2];

    // Whether trucks have found each unplanned closure: from then on the bulletin announces it.
    private readonly bool[] _closureFound;
    private Visit[] _visits;
    private Ring<int> _freeVisits;
    private GateEvent[] _heap;
    private int _heapCount;
    private long _sequence;
    private int _inGate;
    private double _clock;

    private readonly int _index;

    public GateModel(int index, GateSpec spec, int commodityCount, ulong seed, int replication, double warmupEnd, int statisticsDays, int flowCount = 0)
    {
        _index = index;
        _spec = spec;
        _commodityEmpty = commodityCount;
        _serviceVehicle = commodityCount + 1;
        for (var p = 0; p < 2; p++)
        {
            var post = spec.Posts[p];
            _serviceMean[p] = [.. post.ServiceMeanHours, post.VehicleServiceMeanHours];
            _serviceCv[p] = [.. post.ServiceCv, post.VehicleServiceCv];
            _lotTrips[p] = new long[flowCount + 1];
            _lots[p] = new long[flowCount + 1];
        }

        _warmupEnd = warmupEnd;
        _serviceStreams = [RandomStream.For(seed, replication, spec.Id, "service:" + spec.Posts[0].Country), RandomStream.For(seed, replication, spec.Id, "service:" + spec.Posts[1].Country)];
        _queues[0] = new Ring<int>(64);
        _queues[1] = new Ring<int>(64);
        _visits = new Visit[64];
        _freeVisits = new Ring<int>(64);
        for (var i = 0; i < _visits.Length; i++)
        {
            _freeVisits.Enqueue(i);
        }

        _heap = new GateEvent[64];
        _closureFound = new bool[spec.Closures.Length];
        _counterQueues[0] = new Ring<int>(4);
        _counterQueues[1] = new Ring<int>(4);
        _freePersons = new Ring<int>(4);
        _travellers = spec.Travellers;
        if (_travellers is { } t)
        {
            // Streams of their own, so adding travellers leaves the trucks' service draws where they were.
            _arrivalStreams = [RandomStream.For(seed, replication, spec.Id, "travellers:" + spec.Posts[0].Country), RandomStream.For(seed, replication, spec.Id, "travellers:" + spec.Posts[1].Country)];
            _immigrationStreams = [RandomStream.For(seed, replication, spec.Id, "immigration:" + spec.Posts[0].Country), RandomStream.For(seed, replication, spec.Id, "immigration:" + spec.Posts[1].Country)];
            _vehicleStreams = [RandomStream.For(seed, replication, spec.Id, "vehicle-service:" + spec.Posts[0].Country), RandomStream.For(seed, replication, spec.Id, "vehicle-service:" + spec.Posts[1].Country)];

            // Pools sized for two days of arrivals, more than a night's closure queues, so a run seldom grows them.
            var personsPerHour = (t.VehiclesPerHour[0] + t.VehiclesPerHour[1]) * t.PersonsPerVehicle;
            var persons = (int)Math.Min(1 << 20, Math.Max(64, Math.Ceiling(personsPerHour * 48)));
            _persons = new PersonVisit[persons];
            _freePersons = new Ring<int>(persons);
            for (var i = 0; i < persons; i++)
            {
                _freePersons.Enqueue(i);
            }

            _counterQueues[0] = new Ring<int>(persons);
            _counterQueues[1] = new Ring<int>(persons);
            var vehicles = (int)Math.Min(1 << 20, Math.Ceiling((t.VehiclesPerHour[0] + t.VehiclesPerHour[1]) * 48));
            GrowVisits(_visits.Length + vehicles);
            Array.Resize(ref _heap, _heap.Length + persons + vehicles);
            for (var p = 0; p < 2; p++)
            {
                if (t.VehiclesPerHour[p] > 0)
                {
                    Push(_arrivalStreams[p].Exponential(1.0 / t.VehiclesPerHour[p]), EventTravellers, p, -1);
                }
            }
        }

        // Closures start and end as events of the inner loop, so trucks waiting when one starts can turn back, and no
        // stretch of the loop spans a closure's edge (the stranded truck-hours integrate exactly).
        foreach (var (start, end) in spec.Closures)
        {
            Push(Math.Max(0, start), EventClosureStart, 0, -1);
            Push(Math.Max(0, end), EventClosureEnd, 0, -1);
        }

        Inbox = new GrowableBuffer<GateArrivalMessage>(64);
        Outbox = new GrowableBuffer<GateReleaseMessage>(64);
        Stats = new GateStatistics(commodityCount, statisticsDays, spec.Travellers?.Nationalities.Length ?? 0);
        _clock = 0;
    }

    public GateSpec Spec => _spec;

    public GrowableBuffer<GateArrivalMessage> Inbox;

    public GrowableBuffer<GateReleaseMessage> Outbox;

    public GateStatistics Stats { get; }

    public GateBulletin Bulletin;

    /// <summary>Runs the gate over [t0, t1): takes the inbox, serves in continuous time, fills the outbox.</summary>
    public void Step(double t0, double t1)
    {
        Outbox.Clear();
        for (var i = 0; i < Inbox.Count; i++)
        {
            ref readonly var m = ref Inbox[i];
            var slot = AllocateVisit();
            ref var v = ref _visits[slot];
            v.Truck = m.Truck;
            v.Commodity = m.Commodity;
            v.Kg = m.Kg;
            v.ValueUsd = m.ValueUsd;
            v.Traffic = m.Traffic;
            v.EntryPost = m.EntryPost;
            v.MaxClosureWaitHours = m.MaxClosureWaitHours;
            v.Flow = m.Flow;
            v.QueueingHours = 0;
            v.ServiceHours = 0;

            // A truck whose whole leg fitted inside the previous step reports an arrival before this step began;
            // the gate's clock has moved on, so it arrives now (legs are hours long, so this is rare and small).
            var time = Math.Max(m.Time, t0);
            v.GateArrival = time;
            Push(time, EventArrival, m.EntryPost, slot);
        }

        Inbox.Clear();

        while (_heapCount > 0 && _heap[0].Time < t1)
        {
            var e = Pop();
            AdvanceTo(e.Time);
            switch (e.Kind)
            {
                case EventArrival:
                    OnArrival(e.Post, e.Slot, e.Time);
                    break;
                case EventCompletion:
                    OnCompletion(e.Post, e.Slot, e.Time);
                    break;
                case EventWake:
                    // One wake a post serves both its lanes and its counters: both open at the post's opening.
                    _wakeScheduled[e.Post] = false;
                    TryStartService(e.Post, e.Time);
                    TryStartImmigration(e.Post, e.Time);
                    break;
                case EventClosureStart:
                    OnClosureStart(e.Time);
                    break;
                case EventClosureEnd:
                    TryStartService(0, e.Time);
                    TryStartService(1, e.Time);
                    TryStartImmigration(0, e.Time);
                    TryStartImmigration(1, e.Time);
                    break;
                case EventTravellers:
                    OnTravellers(e.Post, e.Time);
                    break;
                case EventPersonArrival:
                    OnPersonArrival(e.Post, e.Slot, e.Time);
                    break;
                case EventCounterDone:
                    OnCounterDone(e.Post, e.Slot, e.Time);
                    break;
                default:
                    Release(e.Slot, e.Time);
                    break;
            }
        }

        AdvanceTo(t1);
        AccumulateOpenLaneHours(t0, t1);
        PublishBulletin(t1);
        if (t1 > _warmupEnd)
        {
            Stats.MaxQueue = Math.Max(Stats.MaxQueue, TrucksQueued(0) + TrucksQueued(1));
            var day = (int)Math.Floor((t1 - _warmupEnd - 1e-9) / 24.0);
            if (day >= 0 && day < Stats.DailyQueueAtEnd.Length && IsDayEnd(t1))
            {
                Stats.DailyQueueAtEnd[day] = TrucksQueued(0) + TrucksQueued(1);
            }
        }
    }

    private static bool IsDayEnd(double t) => Math.Abs((t / 24.0) - Math.Round(t / 24.0)) < 1e-9;

    /// <summary>Trucks queued at a post: its lane queue less the non-truck vehicles in it.</summary>
    private int TrucksQueued(int post) => _queues[post].Count - _queuedVehicles[post];

    /// <summary>Where a visit's service time is found: its commodity's, an empty truck's, or a non-truck vehicle's.</summary>
    private int ServiceIndex(int commodity) => commodity >= 0 ? commodity : commodity == NonTruckVehicle ? _serviceVehicle : _commodityEmpty;

    private void OnArrival(int post, int slot, double time)
    {
        ref var v = ref _visits[slot];
        v.PostArrival = time;
        if (v.Commodity == NonTruckVehicle)
        {
            // Travellers set out only while the gate is open (see OnTravellers), and their vehicles are no trucks: they
            // are in no truck count, only in the lanes' queue.
            _queuedVehicles[post]++;
        }
        else if (post == v.EntryPost)
        {
            var closedFor = ClosureEndAt(time) - time;
            if (closedFor > 0)
            {
                // The truck finds the gate closed: word gets round, and it turns back if the closure outlasts its patience.
                FindClosure(time);
                if (closedFor > v.MaxClosureWaitHours)
                {
                    TurnBack(slot, time);
                    return;
                }
            }

            _inGate++;
            if (time >= _warmupEnd)
            {
                Stats.RecordArrival(time - _warmupEnd);
            }
        }

        _queues[post].Enqueue(slot);
        _queuedServiceHours[post] += _serviceMean[post][ServiceIndex(v.Commodity)];
        TryStartService(post, time);
    }

    private void OnCompletion(int post, int slot, double time)
    {
        _busyLanes[post]--;
        ref var v = ref _visits[slot];
        if (post == v.EntryPost)
        {
            Push(time + _spec.TransferHours, EventArrival, 1 - post, slot);
        }
        else
        {
            var closedUntil = ClosureEndAt(time);
            if (closedUntil > time)
            {
                // The gate closed while this truck was being cleared: it cannot leave until the closure ends.
                Push(closedUntil, EventReleaseAfterClosure, post, slot);
            }
            else
            {
                Release(slot, time);
            }
        }

        TryStartService(post, time);
    }

    private void TryStartService(int post, double now)
    {
        ref var queue = ref _queues[post];
        var lanes = _spec.Posts[post].Lanes;
        if (queue.Count == 0 || _busyLanes[post] >= lanes)
        {
            return;
        }

        if (ClosedUntilWake(post, now))
        {
            return;
        }

        var spec = _spec.Posts[post];
        var mean = _serviceMean[post];
        var cv = _serviceCv[post];
        while (queue.Count > 0 && _busyLanes[post] < lanes)
        {
            var slot = queue.Dequeue();
            ref var v = ref _visits[slot];
            var c = ServiceIndex(v.Commodity);

            // An empty queue owes nothing: resetting there keeps rounding from building up over a long run.
            _queuedServiceHours[post] = queue.Count == 0 ? 0 : _queuedServiceHours[post] - mean[c];
            if (v.Commodity == NonTruckVehicle)
            {
                // A car's check draws from a stream of its own, so the trucks' draws stay in their order; its wait is
                // the trucks' business only as the lane time it takes.
                _queuedVehicles[post]--;
                _busyLanes[post]++;
                Push(now + _vehicleStreams![post].Positive(mean[c], cv[c]), EventCompletion, post, slot);
                continue;
            }

            var service = _serviceStreams[post].Positive(mean[c], cv[c]);
            if (spec.TripsPerDeclaration > 0 && v.Commodity >= 0 && v.Traffic == TrafficKind.Transit)
            {
                service += LodgeDeclaration(post, v.Flow, now);
            }

            // The wait splits into the hours the post was open (lanes busy: queueing) and the hours it was closed
            // (night, a closure: waiting for opening), so the two add up to the wait exactly.
            var wait = now - v.PostArrival;
            var queueing = wait > 0 ? Math.Min(wait, OpenHoursWithin(post, v.PostArrival, now)) : 0;
            v.QueueingHours += queueing;
            v.ServiceHours += service;
            if (now >= _warmupEnd)
            {
                ref var p = ref Stats.Posts[post];
                p.WaitHoursSum += wait;
                p.OpeningWaitHoursSum += wait - queueing;
                p.Served++;
                p.ServiceHoursSum += service;
            }

            _busyLanes[post]++;
            Push(now + service, EventCompletion, post, slot);
        }
    }

    /// <summary>
    /// A closure starts: the trucks queued at their entry post learn how long it lasts, and those it would hold longer
    /// than they are willing to wait leave the queue (the others keep their order). Trucks past their entry post stay.
    /// </summary>
    private void OnClosureStart(double time)
    {
        var closedFor = ClosureEndAt(time) - time;
        if (closedFor <= 0)
        {
            return;
        }

        if (_inGate > 0)
        {
            FindClosure(time);
        }

        for (var post = 0; post < 2; post++)
        {
            ref var queue = ref _queues[post];
            var count = queue.Count;
            for (var i = 0; i < count; i++)
            {
                var slot = queue.Dequeue();
                ref var v = ref _visits[slot];
                if (v.EntryPost == post && closedFor > v.MaxClosureWaitHours)
                {
                    _queuedServiceHours[post] -= _serviceMean[post][ServiceIndex(v.Commodity)];
                    _inGate--;
                    TurnBack(slot, time);
                }
                else
                {
                    queue.Enqueue(slot);
                }
            }

            if (queue.Count == 0)
            {
                _queuedServiceHours[post] = 0;
            }
        }
    }

    /// <summary>Marks the unplanned closure in force at <paramref name="time"/> as found: the bulletin announces it from now on.</summary>
    private void FindClosure(double time)
    {
        for (var k = 0; k < _spec.Closures.Length; k++)
        {
            if (time >= _spec.Closures[k].Start && time < _spec.Closures[k].End)
            {
                _closureFound[k] = true;
            }
        }
    }

    private void TurnBack(int slot, double time)
    {
        ref var v = ref _visits[slot];
        Outbox.Add(new GateReleaseMessage(v.Truck, _index, time, TurnedBack: true));
        if (time >= _warmupEnd)
        {
            Stats.TurnedBack++;
        }

        _freeVisits.Enqueue(slot);
    }

    private void Release(int slot, double time)
    {
        ref var v = ref _visits[slot];
        if (v.Commodity == NonTruckVehicle)
        {
            Stats.VehiclesCrossedInRun++;
            if (time >= _warmupEnd)
            {
                Stats.NonTruckCrossings++;
            }

            _freeVisits.Enqueue(slot);
            return;
        }

        _inGate--;
        Outbox.Add(new GateReleaseMessage(v.Truck, _index, time));
        if (time >= _warmupEnd)
        {
            var hours = time - v.GateArrival;
            Stats.Record(v.EntryPost, v.Commodity, v.Kg, v.ValueUsd, v.Traffic, hours);

            // The rest of the crossing after queueing, service and the drive between the posts is waiting for a
            // post to open (or, at the exit post, for a closure to end): the four parts sum to the crossing hours.
            Stats.QueueingHoursSum += v.QueueingHours;
            Stats.ServiceHoursSum += v.ServiceHours;
            Stats.OpeningWaitHoursSum += hours - v.QueueingHours - v.ServiceHours - _spec.TransferHours;
            var day = (int)((time - _warmupEnd) / 24.0);
            if (day < Stats.DailyCrossings.Length)
            {
                Stats.DailyCrossings[day]++;
                Stats.DailyKg[day] += v.Kg;
                Stats.DailyHoursSum[day] += hours;
            }
        }

        _freeVisits.Enqueue(slot);
    }

    /// <summary>Integrates queue lengths, busy lanes and trucks in the gate over time, from the end of warm-up on.</summary>
    private void AdvanceTo(double time)
    {
        var from = Math.Max(_clock, _warmupEnd);
        if (time > from)
        {
            var dt = time - from;

            // Events and step ends fall inside one step, and a step never spans midnight, so [from, time] lies in one day.
            var day = (int)((from - _warmupEnd) / 24.0);
            if (day < Stats.DailyQueueArea.Length)
            {
                Stats.DailyQueueArea[day] += (TrucksQueued(0) + TrucksQueued(1)) * dt;
            }

            for (var p = 0; p < 2; p++)
            {
                ref var s = ref Stats.Posts[p];
                var q = TrucksQueued(p);
                s.QueueArea += q * dt;
                s.BusyArea += _busyLanes[p] * dt;
                s.RoadsideArea += Math.Max(0, q - _spec.Posts[p].HoldingCapacity) * dt;
            }

            Stats.InGateArea += _inGate * dt;

            // Closure edges are events, so [from, time] is either wholly inside a closure or wholly outside.
            if (ClosureEndAt(from) > from)
            {
                Stats.StrandedTruckHours += _inGate * dt;
            }
        }

        _clock = Math.Max(_clock, time);
    }

    private void AccumulateOpenLaneHours(double t0, double t1)
    {
        var a = Math.Max(t0, _warmupEnd);
        if (t1 <= a)
        {
            return;
        }

        Stats.WindowHours += t1 - a;
        for (var p = 0; p < 2; p++)
        {
            Stats.Posts[p].OpenLaneHours += OpenHoursWithin(p, a, t1) * _spec.Posts[p].Lanes;
        }
    }

    private double OpenHoursWithin(int post, double a, double b)
    {
        var spec = _spec.Posts[post];
        var total = 0.0;
        for (var day = Math.Floor(a / 24.0); day * 24.0 < b; day++)
        {
            var wa = Math.Max(a, (day * 24.0) + spec.OpenHour);
            var wb = Math.Min(b, (day * 24.0) + spec.CloseHour);
            if (wb <= wa)
            {
                continue;
            }

            var open = wb - wa;
            foreach (var (cs, ce) in _spec.Closures)
            {
                open -= Math.Max(0, Math.Min(wb, ce) - Math.Max(wa, cs));
            }

            total += Math.Max(0, open);
        }

        return total;
    }

    private void PublishBulletin(double now)
    {
        // A closure in force is announced when it was planned (announced with notice) or once trucks have found it.
        Bulletin.ClosedUntil = now;
        for (var k = 0; k < _spec.Closures.Length; k++)
        {
            var (start, end) = _spec.Closures[k];
            if (now >= start && now < end && (_closureFound[k] || _spec.AnnouncedAt(k) <= now))
            {
                Bulletin.ClosedUntil = end;
            }
        }

        for (var entry = 0; entry < 2; entry++)
        {
            // Behind each queue, its trucks' own mean service times shared among the post's lanes.
            var hours = _spec.TransferHours;
            for (var p = 0; p < 2; p++)
            {
                hours += _queuedServiceHours[p] / _spec.Posts[p].Lanes;
            }

            if (entry == 0)
            {
                Bulletin.ExpectedHoursEnteringPost0 = hours;
            }
            else
            {
                Bulletin.ExpectedHoursEnteringPost1 = hours;
            }
        }
    }

    /// <summary>The end of the closure in force at <paramref name="time"/>, or <paramref name="time"/> itself when none is.</summary>
    private double ClosureEndAt(double time) => _spec.ClosureEndAt(time);

    private bool IsOpen(int post, double time)
    {
        if (ClosureEndAt(time) > time)
        {
            return false;
        }

        var spec = _spec.Posts[post];
        if (spec.OpenAllDay)
        {
            return true;
        }

        var hourOfDay = time - (Math.Floor(time / 24.0) * 24.0);
        return hourOfDay >= spec.OpenHour && hourOfDay < spec.CloseHour;
    }

    private double NextOpening(int post, double time)
    {
        var spec = _spec.Posts[post];
        var t = time;
        for (var guard = 0; guard < 10_000; guard++)
        {
            var closedUntil = ClosureEndAt(t);
            if (closedUntil > t)
            {
                t = closedUntil;
                continue;
            }

            if (spec.OpenAllDay)
            {
                return t;
            }

            var dayStart = Math.Floor(t / 24.0) * 24.0;
            var hourOfDay = t - dayStart;
            if (hourOfDay < spec.OpenHour)
            {
                t = dayStart + spec.OpenHour;
            }
            else if (hourOfDay >= spec.CloseHour)
            {
                t = dayStart + 24.0 + spec.OpenHour;
            }
            else
            {
                return t;
            }
        }

        throw new InvalidOperationException($"gate '{_spec.Id}' post '{spec.Country}' never opens after hour {time}");
    }

    private int AllocateVisit()
    {
        if (_freeVisits.Count == 0)
        {
            GrowVisits(_visits.Length * 2);
        }

        return _freeVisits.Dequeue();
    }

    private void GrowVisits(int length)
    {
        var old = _visits.Length;
        Array.Resize(ref _visits, length);
        for (var i = old; i < _visits.Length; i++)
        {
            _freeVisits.Enqueue(i);
        }
    }

    private int AllocatePerson()
    {
        if (_freePersons.Count == 0)
        {
            var old = _persons.Length;
            Array.Resize(ref _persons, Math.Max(64, old * 2));
            for (var i = old; i < _persons.Length; i++)
            {
                _freePersons.Enqueue(i);
            }
        }

        return _freePersons.Dequeue();
    }

    /// <summary>
    /// A loaded transit truck of <paramref name="flow"/> starts its service at a customs post that lodges declarations:
    /// it joins its flow's current lot, or, when that lot is full, opens the next with a declaration, whose processing
    /// it carries (the hours returned). Lot k (from 0) opens at the flow's trip k x trips per declaration, rounded up,
    /// so lots of a fractional size alternate between the whole numbers around it and average exactly that size.
    /// </summary>
    private double LodgeDeclaration(int post, int flow, double now)
    {
        var spec = _spec.Posts[post];
        var f = flow >= 0 && flow < _lots[post].Length - 1 ? flow : _lots[post].Length - 1;
        var trip = _lotTrips[post][f]++;
        var opens = trip >= _lots[post][f] * spec.TripsPerDeclaration;
        if (opens)
        {
            _lots[post][f]++;
        }

        if (now >= _warmupEnd)
        {
            Stats.DeclaredTrips++;
            if (opens)
            {
                Stats.Declarations++;
            }
        }

        return opens ? spec.DeclarationHours : 0;
    }

    /// <summary>
    /// A non-truck vehicle arrives at entry post <paramref name="post"/> with its persons; the next is drawn. While a
    /// closure is in force nobody sets out for the gate: the vehicle is not drawn (the process thins), so every person
    /// and vehicle that arrives crosses in the end.
    /// </summary>
    private void OnTravellers(int post, double time)
    {
        var t = _travellers!;
        var stream = _arrivalStreams![post];
        Push(time + stream.Exponential(1.0 / t.VehiclesPerHour[post]), EventTravellers, post, -1);
        if (ClosureEndAt(time) > time)
        {
            return;
        }

        var persons = 1 + stream.Poisson(t.PersonsPerVehicle - 1);
        for (var i = 0; i < persons; i++)
        {
            var u = stream.NextDouble();
            var nationality = 0;
            while (u >= t.NationalityCumulative[nationality])
            {
                nationality++;
            }

            var person = AllocatePerson();
            ref var p = ref _persons[person];
            p.Nationality = nationality;
            p.EntryPost = post;
            p.GateArrival = time;
            p.PostArrival = time;
            _counterQueues[post].Enqueue(person);
        }

        Stats.PersonsArrivedInRun += persons;
        Stats.VehiclesArrivedInRun++;
        var slot = AllocateVisit();
        ref var v = ref _visits[slot];
        v.Truck = -1;
        v.Commodity = NonTruckVehicle;
        v.Kg = 0;
        v.ValueUsd = 0;
        v.Traffic = TrafficKind.Local;
        v.EntryPost = post;
        v.MaxClosureWaitHours = double.PositiveInfinity;
        v.Flow = -1;
        v.QueueingHours = 0;
        v.ServiceHours = 0;
        v.GateArrival = time;
        OnArrival(post, slot, time);
        TryStartImmigration(post, time);
    }

    /// <summary>A person reaches the far post from the one that cleared them.</summary>
    private void OnPersonArrival(int post, int person, double time)
    {
        _persons[person].PostArrival = time;
        _counterQueues[post].Enqueue(person);
        TryStartImmigration(post, time);
    }

    /// <summary>
    /// Whether the post is closed at <paramref name="now"/>; if so, one wake at its next opening is scheduled (for the
    /// lanes and the counters alike), so whatever waits there starts when it opens.
    /// </summary>
    private bool ClosedUntilWake(int post, double now)
    {
        if (IsOpen(post, now))
        {
            return false;
        }

        if (!_wakeScheduled[post])
        {
            _wakeScheduled[post] = true;
            Push(NextOpening(post, now), EventWake, post, -1);
        }

        return true;
    }

    /// <summary>Starts clearing queued persons at free counters while the post is open (FIFO, as the lanes).</summary>
    private void TryStartImmigration(int post, double now)
    {
        ref var queue = ref _counterQueues[post];
        var spec = _spec.Posts[post];
        if (queue.Count == 0 || _busyCounters[post] >= spec.ImmigrationCounters)
        {
            return;
        }

        if (ClosedUntilWake(post, now))
        {
            return;
        }

        var stream = _immigrationStreams![post];
        while (queue.Count > 0 && _busyCounters[post] < spec.ImmigrationCounters)
        {
            var person = queue.Dequeue();
            if (now >= _warmupEnd)
            {
                ref var s = ref Stats.Posts[post];
                s.PersonsServed++;
                s.ImmigrationWaitHoursSum += now - _persons[person].PostArrival;
            }

            _busyCounters[post]++;
            Push(now + stream.Positive(spec.ImmigrationMeanHours, spec.ImmigrationCv), EventCounterDone, post, person);
        }
    }

    /// <summary>A counter has cleared a person: on to the far post, or, at the second post, across.</summary>
    private void OnCounterDone(int post, int person, double time)
    {
        _busyCounters[post]--;
        ref var p = ref _persons[person];
        if (post == p.EntryPost)
        {
            Push(time + _spec.TransferHours, EventPersonArrival, 1 - post, person);
        }
        else
        {
            Stats.PersonsCrossedInRun++;
            if (time >= _warmupEnd)
            {
                Stats.PersonCrossingsByNationality[p.Nationality]++;
            }

            _freePersons.Enqueue(person);
        }

        TryStartImmigration(post, time);
    }

    /// <summary>Persons at the gate now: queued at or being cleared by counters, or between the posts.</summary>
    public long PersonsInGate => _persons.Length - _freePersons.Count;

    /// <summary>
    /// Non-truck vehicles at the gate now, counted where they are (queued, or with an event pending: in service, between
    /// the posts, held by a closure), not from the arrival and crossing counts it is checked against.
    /// </summary>
    public long VehiclesInGate
    {
        get
        {
            long count = 0;
            for (var p = 0; p < 2; p++)
            {
                ref var queue = ref _queues[p];
                for (var i = 0; i < queue.Count; i++)
                {
                    count += _visits[queue[i]].Commodity == NonTruckVehicle ? 1 : 0;
                }
            }

            for (var i = 0; i < _heapCount; i++)
            {
                var e = _heap[i];
                if (e.Kind is EventArrival or EventCompletion or EventReleaseAfterClosure && _visits[e.Slot].Commodity == NonTruckVehicle)
                {
                    count++;
                }
            }

            return count;
        }
    }

    private void Push(double time, int kind, int post, int slot)
    {
        if (_heapCount == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var e = new GateEvent(time, _sequence++, kind, post, slot);
        var i = _heapCount++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!e.Before(_heap[parent]))
            {
                break;
            }

            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = e;
    }

    private GateEvent Pop()
    {
        var top = _heap[0];
        var last = _heap[--_heapCount];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= _heapCount)
            {
                break;
            }

            if (child + 1 < _heapCount && _heap[child + 1].Before(_heap[child]))
            {
                child++;
            }

            if (!_heap[child].Before(last))
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        if (_heapCount > 0)
        {
            _heap[i] = last;
        }

        return top;
    }

    private struct Visit
    {
        public int Truck;
        public int Commodity;
        public long Kg;
        public double ValueUsd;
        public TrafficKind Traffic;
        public int EntryPost;
        public double GateArrival;
        public double PostArrival;
        public double MaxClosureWaitHours;
        public int Flow;

        // The WCO Time Release Study parts of this crossing so far: waiting while the lanes were busy, and inspection
        // and clearance, at both posts. Waiting while a post was closed is the rest (see Release).
        public double QueueingHours;
        public double ServiceHours;
    }

    /// <summary>A person at the gate: where they entered, when, and when they reached the post they are at.</summary>
    private struct PersonVisit
    {
        public int Nationality;
        public int EntryPost;
        public double GateArrival;
        public double PostArrival;
    }

    /// <summary>An event of the gate's inner loop, ordered by time and then by the order it was scheduled in.</summary>
    private readonly record struct GateEvent(double Time, long Sequence, int Kind, int Post, int Slot)
    {
        public bool Before(in GateEvent other) => Time < other.Time || (Time == other.Time && Sequence < other.Sequence);
    }
}

/// <summary>Per-post accumulators (from the end of warm-up on).</summary>
internal struct PostStatistics
{
    public double WaitHoursSum;

    /// <summary>The part of <see cref="WaitHoursSum"/> spent while the post was closed (outside its hours, or a closure).</summary>
    public double OpeningWaitHoursSum;
    public double ServiceHoursSum;
    public long Served;
    public double QueueArea;
    public double BusyArea;
    public double RoadsideArea;
    public double OpenLaneHours;

    /// <summary>Persons whose clearance at the post's immigration counters began in the window, and their waits before it.</summary>
    public long PersonsServed;
    public double ImmigrationWaitHoursSum;
}

/// <summary>What a gate measures over the statistics window.</summary>
internal sealed class GateStatistics
{
    public GateStatistics(int commodityCount, int days, int nationalities = 0)
    {
        PersonCrossingsByNationality = new long[nationalities];
        DailyCrossings = new long[days];
        DailyKg = new long[days];
        DailyHoursSum = new double[days];
        DailyQueueAtEnd = new int[days];
        DailyQueueArea = new double[days];
        KgByCommodity = new long[commodityCount];
    }

    public PostStatistics[] Posts { get; } = new PostStatistics[2];

    public long Crossings;
    public long LoadedCrossings;
    public long Kg;
    public double ValueUsd;
    public double CrossingHoursSum;

    // The WCO Time Release Study split of CrossingHoursSum: its four parts add up to it.
    public double OpeningWaitHoursSum;
    public double QueueingHoursSum;
    public double ServiceHoursSum;

    public double InGateArea;

    /// <summary>Truck-hours trucks spent inside the gate while a closure was in force.</summary>
    public double StrandedTruckHours;

    /// <summary>Trucks that found the gate closed (or were queued when it closed) and turned back to take another route.</summary>
    public long TurnedBack;

    public double WindowHours;
    public int MaxQueue;

    /// <summary>Persons who crossed (cleared at both posts) in the window, by nationality index.</summary>
    public long[] PersonCrossingsByNationality { get; }

    /// <summary>Non-truck vehicles that crossed in the window.</summary>
    public long NonTruckCrossings;

    // The travellers' account over the whole run, warm-up included: arrived = crossed + at the gate.
    public long PersonsArrivedInRun;
    public long PersonsCrossedInRun;
    public long VehiclesArrivedInRun;
    public long VehiclesCrossedInRun;

    /// <summary>Customs declarations lodged in the window, and the loaded transit trips lodged under declarations.</summary>
    public long Declarations;
    public long DeclaredTrips;

    // Truck arrivals at the gate per hour of the window (see RecordArrival): the hour being counted and its count so
    // far, and the sums of the counts and of their squares over the hours before it.
    private long _arrivalHour;
    private long _arrivalsInHour;
    private long _arrivalsSum;
    private long _arrivalsSquaresSum;

    public long[] LoadedCrossingsByTraffic { get; } = new long[3];

    public long[] KgByTraffic { get; } = new long[3];

    /// <summary>Value of goods by the post they left through (index of the exit post): imports into that post's country.</summary>
    public double[] ValueByExitPost { get; } = new double[2];

    public long[] CrossingsByEntryPost { get; } = new long[2];

    public long[] KgByCommodity { get; }

    public DurationHistogram CrossingHours { get; } = new();

    public long[] DailyCrossings { get; }

    public long[] DailyKg { get; }

    public double[] DailyHoursSum { get; }

    public int[] DailyQueueAtEnd { get; }

    /// <summary>Truck-hours queued at both posts, per day of the window: divided by 24, the day's mean queue.</summary>
    public double[] DailyQueueArea { get; }

    /// <summary>
    /// Counts a truck arriving at the gate <paramref name="hoursIntoWindow"/> hours after the window began. Arrivals
    /// come in time order, so only the hour being counted is held: when one arrives in a later hour, the count
    /// joins the running sums (the hours between, without arrivals, add nothing to them).
    /// </summary>
    public void RecordArrival(double hoursIntoWindow)
    {
        var hour = (long)hoursIntoWindow;
        if (hour != _arrivalHour)
        {
            _arrivalsSum += _arrivalsInHour;
            _arrivalsSquaresSum += _arrivalsInHour * _arrivalsInHour;
            _arrivalHour = hour;
            _arrivalsInHour = 0;
        }

        _arrivalsInHour++;
    }

    /// <summary>
    /// The index of dispersion (sample variance over mean) of the arrivals per whole hour of the first
    /// <paramref name="windowHours"/> hours of the window; NaN when no truck arrived or there were fewer than two hours.
    /// </summary>
    public double ArrivalDispersion(double windowHours)
    {
        // The window's hours are a sum of step lengths: an hour complete up to rounding counts as complete.
        var hours = (long)Math.Floor(windowHours + 1e-6);
        var sum = _arrivalsSum;
        var squares = _arrivalsSquaresSum;
        if (_arrivalHour < hours)
        {
            sum += _arrivalsInHour;
            squares += _arrivalsInHour * _arrivalsInHour;
        }

        if (hours < 2 || sum == 0)
        {
            return double.NaN;
        }

        var mean = (double)sum / hours;
        var variance = (squares - (sum * mean)) / (hours - 1);
        return variance / mean;
    }

    public void Record(int entryPost, int commodity, long kg, double valueUsd, TrafficKind traffic, double hours)
    {
        Crossings++;
        CrossingsByEntryPost[entryPost]++;
        CrossingHoursSum += hours;
        CrossingHours.Add(hours);
        if (commodity >= 0)
        {
            LoadedCrossings++;
            Kg += kg;
            ValueUsd += valueUsd;
            LoadedCrossingsByTraffic[(int)traffic]++;
            KgByTraffic[(int)traffic] += kg;
            ValueByExitPost[1 - entryPost] += valueUsd;
            KgByCommodity[commodity] += kg;
        }
    }
}
