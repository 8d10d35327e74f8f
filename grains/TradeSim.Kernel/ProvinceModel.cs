using TradeSim.Kernel.Randomness;

namespace TradeSim.Kernel;

/// <summary>
/// A province (or port, or hub): the origin of the flows that start there. Each step it produces the flows'
/// tonnage at the annual rate times the month's seasonal factor times a random daily factor, evenly over the step,
/// and hands each truckload to the flow's carrier when it is complete: in continuous time, at the end of the
/// <see cref="ReleaseHours"/> interval it completes in, so a step of a day releases its loads through the day as a
/// step of a quarter hour does, not all at its end. Tonnage is counted in whole kilograms, carrying the fraction from
/// step to step, so the conservation account balances exactly.
/// </summary>
internal sealed class ProvinceModel
{
    /// <summary>
    /// The resolution of release times: a quarter hour, whatever the step (a shorter step releases at its end). It
    /// bounds the messages a flow sends per step (96 for a day) whatever its tonnage.
    /// </summary>
    public const double ReleaseHours = 0.25;

    private readonly FlowSpec[] _flows;
    private readonly long[] _loadKg;
    private readonly RandomStream[] _supplyStreams;
    private readonly double[] _dailyFactor;
    private readonly double[] _carryKg;
    private readonly double _warmupEnd;
    private int _day = -1;

    public ProvinceModel(string key, FlowSpec[] flows, long[] loadKg, ulong seed, int replication, double warmupEnd)
    {
        Key = key;
        _flows = flows;
        _loadKg = loadKg;
        _warmupEnd = warmupEnd;
        _supplyStreams = flows.Select(f => RandomStream.For(seed, replication, key, "supply:" + f.Id)).ToArray();
        _dailyFactor = new double[flows.Length];
        _carryKg = new double[flows.Length];
        ProducedKg = new long[flows.Length];
        ProducedKgInWindow = new long[flows.Length];
        PendingKg = new long[flows.Length];
        FlowIndex = new int[flows.Length];
        Outbox = new GrowableBuffer<ShipmentMessage>(16);
    }

    public string Key { get; }

    /// <summary>The global index of each of this province's flows.</summary>
    public int[] FlowIndex { get; }

    public long[] ProducedKg { get; }

    public long[] ProducedKgInWindow { get; }

    /// <summary>Produced but not yet handed to a carrier (less than a truckload).</summary>
    public long[] PendingKg { get; }

    public GrowableBuffer<ShipmentMessage> Outbox;

    public void Step(double t0, double t1, int month)
    {
        Outbox.Clear();
        var day = (int)Math.Floor(t0 / 24.0);
        var newDay = day != _day;
        _day = day;
        var hours = t1 - t0;
        for (var i = 0; i < _flows.Length; i++)
        {
            var flow = _flows[i];
            if (newDay)
            {
                _dailyFactor[i] = _supplyStreams[i].Positive(1.0, flow.DailyCv);
            }

            var exact = (flow.KgPerHour * flow.Seasonality[month] * _dailyFactor[i] * hours) + _carryKg[i];
            var kg = (long)Math.Floor(exact);
            _carryKg[i] = exact - kg;
            ProducedKg[i] += kg;
            if (t0 >= _warmupEnd)
            {
                ProducedKgInWindow[i] += kg;
            }

            // Loads complete as the pending kilograms grow evenly through the step: by time t, floor((pending + kg x
            // (t - t0) / hours) / load) of them. Each interval's completions are ready at its end.
            var pending = PendingKg[i];
            var load = _loadKg[i];
            var released = 0L;
            var total = (pending + kg) / load;
            var intervals = Math.Max(1, (int)Math.Round(hours / ReleaseHours));
            for (var k = 1; k <= intervals; k++)
            {
                // Never past the exact count (a floating-point floor could round up at a load boundary).
                var done = k == intervals ? total : Math.Min(total, (long)Math.Floor((pending + (kg * (double)k / intervals)) / load));
                if (done > released)
                {
                    Outbox.Add(new ShipmentMessage(FlowIndex[i], done - released, k == intervals ? t1 : t0 + (hours * k / intervals)));
                    released = done;
                }
            }

            PendingKg[i] = pending + kg - (released * load);
        }
    }
}
