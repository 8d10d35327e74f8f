using BenchmarkDotNet.Attributes;

namespace TradeSim.Benchmarks;

/// <summary>
/// The memory limit of the kernel's truck layout: one plain pass over per-truck arrays laid out exactly as a carrier
/// grain holds them (struct-of-arrays: 3 one-byte fields, 2 ints, 7 eight-byte fields: 67 bytes a truck), reading
/// every field of every truck and writing back the three that every truck event writes (phase, next event time,
/// phase start). A kernel step visits every truck's next-event time and, in steady state, most trucks have an event
/// in an hour, so no step over this layout can be faster than this pass. Mean per truck, like <see cref="StepBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class RooflineBenchmarks
{
    private byte[] _phase = null!;
    private byte[] _leg = null!;
    private byte[] _segment = null!;
    private double[] _nextTime = null!;
    private int[] _flow = null!;
    private int[] _option = null!;
    private long[] _loadKg = null!;
    private long[] _shipmentKg = null!;
    private double[] _idleSince = null!;
    private double[] _phaseStart = null!;
    private double[] _gateArrival = null!;
    private double[] _borderHours = null!;
    private double _clock;

    [Params(10_000, 100_000, 1_000_000)]
    public int Trucks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var n = Trucks;
        (_phase, _leg, _segment) = (new byte[n], new byte[n], new byte[n]);
        (_nextTime, _idleSince, _phaseStart, _gateArrival, _borderHours) = (new double[n], new double[n], new double[n], new double[n], new double[n]);
        (_flow, _option, _loadKg, _shipmentKg) = (new int[n], new int[n], new long[n], new long[n]);
        for (var i = 0; i < n; i++)
        {
            _nextTime[i] = i % 7;
            _loadKg[i] = i;
        }

        // The pass must really touch every truck: each of an operation's passes moves every next-event time on by one hour.
        var before = _nextTime.Sum();
        Pass();
        var passes = StepBenchmarks.TruckStepsPerOperation / n;
        if (Math.Abs(_nextTime.Sum() - before - ((double)n * passes)) > 1e-3 || _phase.Any(p => p != 1))
        {
            throw new InvalidOperationException("the roofline pass did not update every truck");
        }
    }

    /// <summary>A million truck-passes per operation (100 passes of 10,000 trucks, ..., 1 of 1,000,000).</summary>
    [Benchmark(OperationsPerInvoke = StepBenchmarks.TruckStepsPerOperation)]
    public double Pass()
    {
        var sum = 0.0;
        for (var s = StepBenchmarks.TruckStepsPerOperation / Trucks; s > 0; s--)
        {
            _clock += 1;
            var t = _clock;
            for (var i = 0; i < _nextTime.Length; i++)
            {
                sum += _leg[i] + _segment[i] + _flow[i] + _option[i] + _loadKg[i] + _shipmentKg[i] + _idleSince[i] + _gateArrival[i] + _borderHours[i];
                _phase[i] = (byte)(_phase[i] | 1);
                _phaseStart[i] = t;
                _nextTime[i] += 1;
            }
        }

        return sum;
    }
}
