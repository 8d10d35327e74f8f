using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// One replication of a scenario: the entity models of the run (provinces, carriers, gates) and the fixed-step loop that drives them. A step runs
/// in phases - provinces release shipments; carriers move trucks and dispatch idle ones; gates serve their queues
/// in continuous time - and the messages of each phase are delivered between phases in entity order, so the result
/// is bit-identical whatever the number of threads.
/// </summary>
public sealed class Simulation
{
    private readonly CompiledNetwork _network;
    private readonly ProvinceModel[] _provinces;
    private readonly CarrierModel[] _carriers;
    private readonly GateModel[] _gates;
    private readonly GateBulletin[] _bulletin;
    private readonly int[] _carrierOfTruck;
    private readonly int[] _monthOfDay;
    private readonly double _stepHours;
    private readonly ParallelOptions? _parallel;

    public Simulation(CompiledNetwork network, ulong seed, int replication, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(replication);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _network = network;
        Seed = seed;
        Replication = replication;
        var settings = network.Definition.Settings;
        _stepHours = settings.StepMinutes / 60.0;
        var warmupEnd = settings.WarmupDays * 24.0;
        var totalDays = settings.WarmupDays + settings.Days;
        StepCount = (int)Math.Round(totalDays * 24.0 / _stepHours);
        var simStart = settings.Start.AddDays(-settings.WarmupDays);
        _monthOfDay = new int[totalDays + 1];
        for (var d = 0; d <= totalDays; d++)
        {
            _monthOfDay[d] = simStart.AddDays(d).Month - 1;
        }

        var commodityCount = network.Commodities.Length;
        _gates = new GateModel[network.Gates.Length];
        for (var g = 0; g < _gates.Length; g++)
        {
            _gates[g] = new GateModel(g, network.Gates[g], commodityCount, seed, replication, warmupEnd, settings.Days, network.Flows.Length);
        }

        _bulletin = new GateBulletin[_gates.Length];
        for (var g = 0; g < _gates.Length; g++)
        {
            _bulletin[g].ClosedUntil = double.NegativeInfinity;
            _bulletin[g].ExpectedHoursEnteringPost0 = network.Gates[g].TransferHours;
            _bulletin[g].ExpectedHoursEnteringPost1 = network.Gates[g].TransferHours;
        }

        _carriers = new CarrierModel[network.Carriers.Length];
        _carrierOfTruck = new int[network.TruckCount];
        // Provinces (below) hand cargo over in node order, each its flows in index order: each carrier's flows in
        // that order, and every flow's position among its carrier's.
        var handOver = Enumerable.Range(0, network.Flows.Length)
            .OrderBy(f => network.Flows[f].Origin)
            .ThenBy(f => f)
            .GroupBy(f => network.Flows[f].Carrier)
            .ToDictionary(g => g.Key, g => g.ToArray());
        var handOverPosition = new int[network.Flows.Length];
        foreach (var flows in handOver.Values)
        {
            for (var i = 0; i < flows.Length; i++)
            {
                handOverPosition[flows[i]] = i;
            }
        }

        for (var c = 0; c < _carriers.Length; c++)
        {
            var spec = network.Carriers[c];
            var flows = handOver.GetValueOrDefault(c, []);
            _carriers[c] = new CarrierModel(spec, network.Flows, flows, handOverPosition, network.LegOptions, network.Gates, commodityCount, seed, replication, warmupEnd, settings);
            Array.Fill(_carrierOfTruck, c, spec.FirstTruck, spec.Slots);
        }

        // A province model per node that is the origin of at least one flow, in node order.
        var provinces = new List<ProvinceModel>();
        for (var n = 0; n < network.Nodes.Length; n++)
        {
            var flowIndices = Enumerable.Range(0, network.Flows.Length).Where(f => network.Flows[f].Origin == n).ToArray();
            if (flowIndices.Length == 0)
            {
                continue;
            }

            var flows = flowIndices.Select(f => network.Flows[f]).ToArray();
            var loads = flows.Select(f => network.Carriers[f.Carrier].CapacityKg).ToArray();
            var province = new ProvinceModel(network.Nodes[n].Id, flows, loads, seed, replication, warmupEnd, settings.Release);
            flowIndices.CopyTo(province.FlowIndex, 0);
            provinces.Add(province);
        }

        _provinces = [.. provinces];
        _parallel = threads > 1 ? new ParallelOptions { MaxDegreeOfParallelism = threads } : null;
    }

    public ulong Seed { get; }

    public int Replication { get; }

    public int StepCount { get; }

    public int StepsDone { get; private set; }

    public bool IsFinished => StepsDone >= StepCount;

    /// <summary>Advances the run by one step.</summary>
    public void Step()
    {
        var t0 = StepsDone * _stepHours;
        var t1 = (StepsDone + 1) * _stepHours;
        var month = _monthOfDay[(int)Math.Floor(t0 / 24.0)];

        // Phase 1: provinces release full truckloads.
        if (_parallel is null)
        {
            foreach (var p in _provinces)
            {
                p.Step(t0, t1, month);
            }
        }
        else
        {
            ProvincesInParallel(t0, t1, month);
        }

        foreach (var p in _provinces)
        {
            for (var i = 0; i < p.Outbox.Count; i++)
            {
                ref readonly var m = ref p.Outbox[i];
                _carriers[_network.Flows[m.Flow].Carrier].ShipmentInbox.Add(m);
            }
        }

        // Phase 2: carriers move their trucks and dispatch idle ones, reading the gates' last bulletin.
        if (_parallel is null)
        {
            foreach (var c in _carriers)
            {
                c.Step(t0, t1, _bulletin);
            }
        }
        else
        {
            CarriersInParallel(t0, t1);
        }

        foreach (var c in _carriers)
        {
            for (var i = 0; i < c.Outbox.Count; i++)
            {
                ref readonly var m = ref c.Outbox[i];
                _gates[m.Gate].Inbox.Add(m);
            }
        }

        // Phase 3: gates serve their queues in continuous time and release trucks to the far side.
        if (_parallel is null)
        {
            foreach (var g in _gates)
            {
                g.Step(t0, t1);
            }
        }
        else
        {
            GatesInParallel(t0, t1);
        }

        for (var g = 0; g < _gates.Length; g++)
        {
            var gate = _gates[g];
            _bulletin[g] = gate.Bulletin;
            for (var i = 0; i < gate.Outbox.Count; i++)
            {
                ref readonly var m = ref gate.Outbox[i];
                _carriers[_carrierOfTruck[m.Truck]].ReleaseInbox.Add(m);
            }
        }

        StepsDone++;
    }

    // The parallel phases live in their own methods: a lambda capturing Step's locals would make Step allocate
    // its closure on every call, even when it runs on one thread.
    private void ProvincesInParallel(double t0, double t1, int month) =>
        Parallel.For(0, _provinces.Length, _parallel!, i => _provinces[i].Step(t0, t1, month));

    private void CarriersInParallel(double t0, double t1) =>
        Parallel.For(0, _carriers.Length, _parallel!, i => _carriers[i].Step(t0, t1, _bulletin));

    private void GatesInParallel(double t0, double t1) =>
        Parallel.For(0, _gates.Length, _parallel!, i => _gates[i].Step(t0, t1));

    /// <summary>Runs the remaining steps and returns the result.</summary>
    public RunResult Run()
    {
        while (!IsFinished)
        {
            Step();
        }

        return Collect();
    }

    /// <summary>The result of the steps run so far (the whole run once <see cref="IsFinished"/>).</summary>
    public RunResult Collect() => RunResultBuilder.Build(_network, this, _provinces, _carriers, _gates);
}
