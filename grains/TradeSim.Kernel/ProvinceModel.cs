using TradeSim.Kernel.Randomness;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// A province (or port, or hub): the origin of the flows that start there. Each step it produces the flows'
/// tonnage at the annual rate times the month's seasonal factor times a random daily factor, and hands the carrier
/// whole truckloads in one of two ways (`release:` in the settings).
/// <para>
/// Even release (the default): production is even over the step and each truckload is handed over when it is
/// complete: in continuous time, at the end of the <see cref="ReleaseHours"/> interval it completes in, so a step of a
/// day releases its loads through the day as a step of a quarter hour does, not all at its end. Tonnage is counted in
/// whole kilograms, carrying the fraction from step to step, and what is not yet a truckload stays in stock.
/// </para>
/// <para>
/// Poisson release: each flow hands over single truckloads as a Poisson process whose rate is its current
/// production rate in loads per hour, at continuous times (exponential gaps): trucks that drive from the origin
/// straight to a gate arrive there as a Poisson process too, unless a short fleet, opening hours or unequal days
/// shape their arrivals. Production is then counted in whole truckloads: a release produces
/// one truckload's kilograms at its moment, nothing is left below a truckload, and the conservation account
/// (produced = delivered + in transit + queued + stock) still balances exactly in kilograms. Over a period the
/// tonnes produced are random around the production rate times the period, with the Poisson variance (a standard
/// deviation of the square root of the expected truckloads).
/// </para>
/// </summary>
internal sealed class ProvinceModel
{
    /// <summary>
    /// The resolution of even release times: a quarter hour, whatever the step (a shorter step releases at its end).
    /// It bounds the messages a flow sends per step (96 for a day) whatever its tonnage.
    /// </summary>
    public const double ReleaseHours = 0.25;

    /// <summary>
    /// The most truckloads a flow may expect per <see cref="ReleaseHours"/> interval for its Poisson releases to be
    /// drawn one by one: 256 an hour, 6,144 truckloads a day from one flow. Above it, each interval's count is drawn
    /// at once and released at the interval's end, as even release does, so the messages and draws of a step stay
    /// bounded whatever the tonnage.
    /// </summary>
    public const double MaxLoadsDrawnOneByOne = 64;

    private readonly FlowSpec[] _flows;
    private readonly long[] _loadKg;
    private readonly RandomStream[] _supplyStreams;
    private readonly double[] _dailyFactor;
    private readonly double[] _carryKg;
    private readonly double _warmupEnd;

    // Poisson release only (null for even): each flow's release stream, and the integrated rate (in truckloads) still
    // to run before its next release, a unit exponential draw; running the flow's releases on its integrated rate
    // follows a rate that changes between steps (the daily factor, the month) exactly and carries over step ends.
    private readonly RandomStream[]? _releaseStreams;
    private readonly double[] _loadsToNextRelease;
    private int _day = -1;

    public ProvinceModel(string key, FlowSpec[] flows, long[] loadKg, ulong seed, int replication, double warmupEnd, ReleaseProcess release)
    {
        Key = key;
        _flows = flows;
        _loadKg = loadKg;
        _warmupEnd = warmupEnd;
        _supplyStreams = flows.Select(f => RandomStream.For(seed, replication, key, "supply:" + f.Id)).ToArray();
        _dailyFactor = new double[flows.Length];
        _carryKg = new double[flows.Length];
        _loadsToNextRelease = new double[flows.Length];
        if (release == ReleaseProcess.Poisson)
        {
            // Streams of their own: the supply draws (and every other entity's) are those of an even run.
            _releaseStreams = flows.Select(f => RandomStream.For(seed, replication, key, "release:" + f.Id)).ToArray();
            for (var i = 0; i < flows.Length; i++)
            {
                _loadsToNextRelease[i] = _releaseStreams[i].Exponential(1.0);
            }
        }

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

    /// <summary>Produced but not yet handed to a carrier (less than a truckload; always 0 with Poisson release).</summary>
    public long[] PendingKg { get; }

    public GrowableBuffer<ShipmentMessage> Outbox;

    public void Step(double t0, double t1, int month)
    {
        Outbox.Clear();
        var day = (int)Math.Floor(t0 / 24.0);
        var newDay = day != _day;
        _day = day;
        for (var i = 0; i < _flows.Length; i++)
        {
            var flow = _flows[i];
            if (newDay)
            {
                _dailyFactor[i] = _supplyStreams[i].Positive(1.0, flow.DailyCv);
            }

            var kgPerHour = flow.KgPerHour * flow.Seasonality[month] * _dailyFactor[i];
            var kg = _releaseStreams is null ? ReleaseEvenly(i, t0, t1, kgPerHour) : ReleasePoisson(i, t0, t1, kgPerHour / _loadKg[i]);
            ProducedKg[i] += kg;
            if (t0 >= _warmupEnd)
            {
                ProducedKgInWindow[i] += kg;
            }
        }
    }

    /// <summary>Produces the step's kilograms evenly over it and releases the truckloads they complete; returns the kilograms produced.</summary>
    private long ReleaseEvenly(int i, double t0, double t1, double kgPerHour)
    {
        var hours = t1 - t0;
        var exact = (kgPerHour * hours) + _carryKg[i];
        var kg = (long)Math.Floor(exact);
        _carryKg[i] = exact - kg;

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
        return kg;
    }

    /// <summary>Releases single truckloads at the events of a Poisson process of the given rate over the step; returns the kilograms they hold.</summary>
    private long ReleasePoisson(int i, double t0, double t1, double loadsPerHour)
    {
        if (loadsPerHour <= 0)
        {
            return 0;
        }

        var stream = _releaseStreams![i];
        var hours = t1 - t0;
        var intervals = Math.Max(1, (int)Math.Round(hours / ReleaseHours));
        var released = 0L;
        if (loadsPerHour * hours / intervals <= MaxLoadsDrawnOneByOne)
        {
            var t = t0;
            while (_loadsToNextRelease[i] < loadsPerHour * (t1 - t))
            {
                t += _loadsToNextRelease[i] / loadsPerHour;
                _loadsToNextRelease[i] = stream.Exponential(1.0);
                Outbox.Add(new ShipmentMessage(FlowIndex[i], 1, t));
                released++;
            }

            _loadsToNextRelease[i] -= loadsPerHour * (t1 - t);
        }
        else
        {
            // A Poisson count of mean above 64 is drawn as a normal one, rounded: its skewness, 1 / sqrt(mean), is
            // below 1/8. The process is memoryless, so the draw to the next single release stays valid for a later,
            // quieter step.
            var mean = loadsPerHour * hours / intervals;
            for (var k = 1; k <= intervals; k++)
            {
                var loads = Math.Max(0L, (long)Math.Round(mean + (Math.Sqrt(mean) * stream.StandardNormal())));
                if (loads > 0)
                {
                    Outbox.Add(new ShipmentMessage(FlowIndex[i], loads, k == intervals ? t1 : t0 + (hours * k / intervals)));
                    released += loads;
                }
            }
        }

        return released * _loadKg[i];
    }
}
