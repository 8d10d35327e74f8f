using TradeSim.Kernel.Randomness;

namespace TradeSim.Kernel;

/// <summary>
/// A province (or port, or hub): the origin of the flows that start there. Each step it produces the flows'
/// tonnage at the annual rate times the month's seasonal factor times a random daily factor, and hands the full
/// truckloads to the flow's carrier as one count. Tonnage is counted in whole kilograms, carrying the fraction from step to
/// step, so the conservation account balances exactly.
/// </summary>
internal sealed class ProvinceModel
{
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

            PendingKg[i] += kg;
            var loads = PendingKg[i] / _loadKg[i];
            if (loads > 0)
            {
                PendingKg[i] -= loads * _loadKg[i];
                Outbox.Add(new ShipmentMessage(FlowIndex[i], loads, t1));
            }
        }
    }
}
