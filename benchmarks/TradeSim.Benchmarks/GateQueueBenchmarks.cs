using BenchmarkDotNet.Attributes;
using TradeSim.Kernel;
using TradeSim.Kernel.Randomness;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Benchmarks;

/// <summary>
/// Continuous-time M/M/c service through the kernel's own gate grain: one gate whose entry post has 2 lanes with
/// exponential 1 h service (cv = 1) fed by Poisson arrivals at 1.6 per hour (rho = 0.8), and an exit post that never
/// queues (10,000 lanes, 1e-6 h), the single-gate setup of the Erlang C tests. An invoke drives a fresh gate for a
/// simulated year of hour-long steps; the Mean is per truck cleared (released by the exit post).
/// </summary>
[MemoryDiagnoser]
public class GateQueueBenchmarks
{
    private const int Lanes = 2;
    private const double Lambda = 1.6;
    private const double ServiceMeanHours = 1.0;
    private const ulong Seed = 7;
    private const int StepsPerInvoke = 365 * 24;

    /// <summary>
    /// Trucks cleared by one invoke with <see cref="Seed"/> (arrivals and services are deterministic); checked in
    /// <see cref="Setup"/>, which throws with the actual count if it ever changes.
    /// </summary>
    private const int ClearedPerInvoke = 14_035;

    private GateArrivalMessage[] _arrivals = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Correctness: 200,000 hours after a 500 h warm-up must give the Erlang C mean wait within 10% (about 4
        // standard errors; with this seed the wait is well inside).
        const double warmup = 500;
        const double statisticsHours = 200_000;
        var check = Drive(Arrivals(warmup + statisticsHours), (int)(warmup + statisticsHours), warmup, out _);
        var post = check.Stats.Posts[0];
        var wait = post.WaitHoursSum / post.Served;
        var expected = ErlangC(Lanes, Lambda * ServiceMeanHours) / ((Lanes / ServiceMeanHours) - Lambda);
        if (post.Served < 0.9 * Lambda * statisticsHours || Math.Abs(wait - expected) > 0.1 * expected)
        {
            throw new InvalidOperationException($"M/M/{Lanes} gate: mean wait {wait:G4} h over {post.Served} trucks, Erlang C says {expected:G4} h");
        }

        _arrivals = Arrivals(StepsPerInvoke);
        Drive(_arrivals, StepsPerInvoke, 0, out var cleared);
        if (cleared != ClearedPerInvoke)
        {
            throw new InvalidOperationException($"an invoke clears {cleared} trucks, not {ClearedPerInvoke}: update ClearedPerInvoke");
        }
    }

    /// <summary>A simulated year of the gate (Mean is per truck cleared).</summary>
    [Benchmark(OperationsPerInvoke = ClearedPerInvoke)]
    public long GateYear()
    {
        Drive(_arrivals, StepsPerInvoke, 0, out var cleared);
        return cleared;
    }

    private static GateArrivalMessage[] Arrivals(double horizonHours)
    {
        var stream = RandomStream.For(Seed, 0, "gate-queue-benchmark", "arrivals");
        var arrivals = new List<GateArrivalMessage>((int)(Lambda * horizonHours * 1.05) + 16);
        for (var t = stream.Exponential(1 / Lambda); t < horizonHours; t += stream.Exponential(1 / Lambda))
        {
            arrivals.Add(new GateArrivalMessage(Gate: 0, EntryPost: 0, Truck: arrivals.Count, Time: t, Commodity: 0, Kg: 1000, ValueUsd: 0, Traffic: TrafficKind.Trade));
        }

        return [.. arrivals];
    }

    /// <summary>Feeds the arrivals to a fresh gate over <paramref name="steps"/> hour-long steps; counts the releases.</summary>
    private static GateModel Drive(GateArrivalMessage[] arrivals, int steps, double warmupHours, out long cleared)
    {
        var gate = new GateModel(0, Gate(), commodityCount: 1, Seed, replication: 0, warmupHours, statisticsDays: (steps / 24) + 2);
        cleared = 0;
        var next = 0;
        for (var s = 0; s < steps; s++)
        {
            double t1 = s + 1;
            while (next < arrivals.Length && arrivals[next].Time < t1)
            {
                gate.Inbox.Add(arrivals[next++]);
            }

            gate.Step(s, t1);
            cleared += gate.Outbox.Count;
        }

        return gate;
    }

    private static GateSpec Gate() => new()
    {
        Id = "gate-queue-benchmark",
        Name = "M/M/c benchmark gate",
        Corridor = "benchmark",
        GateClass = "international",
        FeeUsd = 0,
        TransferHours = 0,
        Posts =
        [
            new PostSpec
            {
                Country = "aa",
                Lanes = Lanes,
                OpenHour = 0,
                CloseHour = 24,
                HoldingCapacity = int.MaxValue,
                ServiceMeanHours = [ServiceMeanHours, ServiceMeanHours],
                ServiceCv = [1.0, 1.0],
            },
            new PostSpec
            {
                Country = "bb",
                Lanes = 10_000,
                OpenHour = 0,
                CloseHour = 24,
                HoldingCapacity = int.MaxValue,
                ServiceMeanHours = [1e-6, 1e-6],
                ServiceCv = [0.0, 0.0],
            },
        ],
        Closures = [],
        BaseCrossingHours = new double[2],
    };

    /// <summary>Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a &lt; c.</summary>
    private static double ErlangC(int c, double a)
    {
        var b = 1.0;
        for (var k = 1; k <= c; k++)
        {
            b = a * b / (k + (a * b));
        }

        return c * b / (c - (a * (1 - b)));
    }
}
