using System.Globalization;
using TradeSim.Kernel;
using TradeSim.Kernel.Randomness;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// One gate post driven with Poisson arrivals and exponential service (cv = 1, which <see cref="RandomStream.Positive"/>
/// draws as exactly exponential), checked against the M/M/c formulas (Erlang C). Post 0 is the queue under test;
/// post 1 has 10,000 lanes and a deterministic 1e-6 h service, so it never queues and feeds nothing back.
/// </summary>
/// <remarks>
/// Seed 7 for every case; the case's c and rho are part of the arrival stream's key and of the gate id (which keys the
/// service streams), so the nine queues draw independent arrivals and services. Both step lengths of a case see the
/// same arrivals, so the two rows of a case are also a paired check that the step length does not matter. Warm-up
/// 500 h (the slowest queue, M/M/1 at rho = 0.9, relaxes in about 1 / (1 - sqrt(rho))^2 = 380 h). Horizons are in
/// <see cref="StatisticsHours"/> (M/M/1 at rho = 0.9: 1.6 million hours, 1.44 million arrivals). With seed 7 the
/// largest deviation from Erlang C over all cases is 2.3% (Lq of M/M/4 at rho = 0.8: 2.441 against 2.386); the others
/// are within 1.9%.
/// </remarks>
public class ErlangCTests
{
    internal const double WarmupHours = 500;

    private const ulong CaseSeed = 7;

    public static TheoryData<int, double, double> Cases()
    {
        var data = new TheoryData<int, double, double>();
        foreach (var c in new[] { 1, 2, 4 })
        {
            foreach (var rho in new[] { 0.5, 0.8, 0.9 })
            {
                foreach (var step in new[] { 1.0, 0.25 })
                {
                    data.Add(c, rho, step);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_PoissonArrivalsExponentialService_MatchesErlangC(int c, double rho, double stepHours)
    {
        const double mu = 1.0;
        var lambda = rho * c * mu;
        var horizon = WarmupHours + StatisticsHours(c, rho);
        var key = string.Create(CultureInfo.InvariantCulture, $"c{c}-rho{rho}");
        var arrivals = PoissonArrivals(lambda, horizon, CaseSeed, key);

        var gate = Drive(c, arrivals, horizon, stepHours, CaseSeed, "erlang-c-" + key);

        var expectedWq = ErlangC(c, lambda / mu) / ((c * mu) - lambda);
        var expectedLq = lambda * expectedWq;
        var post = gate.Stats.Posts[0];
        var wq = post.WaitHoursSum / post.Served;
        var lq = post.QueueArea / gate.Stats.WindowHours;
        var utilisation = post.BusyArea / post.OpenLaneHours;

        Assert.Equal(StatisticsHours(c, rho), gate.Stats.WindowHours, 6);
        AssertRelative(expectedWq, wq, 0.05, $"Wq for c={c}, rho={rho}, step={stepHours}");
        AssertRelative(expectedLq, lq, 0.05, $"Lq for c={c}, rho={rho}, step={stepHours}");

        // The busy fraction of the lanes converges much faster than the queue; 2% is about ten standard errors.
        AssertRelative(rho, utilisation, 0.02, $"utilisation for c={c}, rho={rho}, step={stepHours}");
    }

    [Fact]
    public void Step_SameArrivalsAtOneHourAndQuarterHourSteps_SameWaits()
    {
        // M/M/2 at rho = 0.9 over 20,000 h: about 36,000 arrivals, queues of tens of trucks, so many events straddle
        // step boundaries at both step lengths.
        const int lanes = 2;
        const double horizon = WarmupHours + 20_000;
        var arrivals = PoissonArrivals(1.8, horizon, seed: 11, "step-invariance");

        var hourly = Drive(lanes, arrivals, horizon, 1.0, 11, "step-invariance");
        var quarterly = Drive(lanes, arrivals, horizon, 0.25, 11, "step-invariance");

        for (var p = 0; p < 2; p++)
        {
            var a = hourly.Stats.Posts[p];
            var b = quarterly.Stats.Posts[p];
            Assert.Equal(a.Served, b.Served);
            AssertRelative(a.WaitHoursSum, b.WaitHoursSum, 1e-9, $"post {p} wait hours");
            AssertRelative(a.ServiceHoursSum, b.ServiceHoursSum, 1e-9, $"post {p} service hours");
            AssertRelative(a.QueueArea, b.QueueArea, 1e-9, $"post {p} queue area");
            AssertRelative(a.BusyArea, b.BusyArea, 1e-9, $"post {p} busy area");
        }

        Assert.True(hourly.Stats.Posts[0].WaitHoursSum > 1000, "the test queue should actually queue");
        Assert.Equal(hourly.Stats.Crossings, quarterly.Stats.Crossings);
        AssertRelative(hourly.Stats.CrossingHoursSum, quarterly.Stats.CrossingHoursSum, 1e-9, "crossing hours");
        AssertRelative(hourly.Stats.InGateArea, quarterly.Stats.InGateArea, 1e-9, "trucks in gate area");
        AssertRelative(hourly.Stats.WindowHours, quarterly.Stats.WindowHours, 1e-9, "window hours");
    }

    [Theory]
    [InlineData(1, 0.5, 0.5)]
    [InlineData(1, 0.9, 0.9)]
    [InlineData(2, 1.0, 1.0 / 3.0)]
    [InlineData(4, 2.0, 0.1739130434782609)]
    public void ErlangC_KnownValues_MatchesClosedForm(int c, double a, double expected)
    {
        // M/M/1: P(wait) = rho. M/M/2 at a = 1: (1/2 * 2) / (1 + 1 + 1) = 1/3. M/M/4 at a = 2: 4/23.
        Assert.Equal(expected, ErlangC(c, a), 12);
    }

    /// <summary>
    /// Hours of statistics per case. The relative standard error of the time-average queue length over T hours is
    /// sqrt(s2 / T) / Lq, where s2 is the asymptotic variance of the M/M/c queue-length process (computed exactly for
    /// the birth-death chain: s2 = 2 * sum_n F(n)^2 / (pi_n * lambda), F(n) = sum_{k&lt;=n} pi_k (q_k - Lq)); for example
    /// s2 = 33,842 for M/M/1 at rho = 0.9, so 1.6 million hours give 1.8%. Each horizon puts 5% at about 2.8 standard
    /// errors; Wq has the same relative error as Lq within a run (Little's law holds sample path by sample path).
    /// </summary>
    internal static double StatisticsHours(int c, double rho) => (c, rho) switch
    {
        (1, 0.5) => 220_000,
        (1, 0.8) => 540_000,
        (1, 0.9) => 1_600_000,
        (2, 0.5) => 190_000,
        (2, 0.8) => 330_000,
        (2, 0.9) => 900_000,
        (4, 0.5) => 200_000,
        (4, 0.8) => 220_000,
        (4, 0.9) => 520_000,
        _ => throw new ArgumentOutOfRangeException(nameof(c), $"no horizon for c={c}, rho={rho}"),
    };

    internal static GateSpec SingleQueueGate(int lanes, string id) => new()
    {
        Id = id,
        Name = "Erlang C test gate",
        Corridor = "test",
        GateClass = "international",
        FeeUsd = 0,
        TransferHours = 0,
        Posts =
        [
            new PostSpec
            {
                Country = "aa",
                Lanes = lanes,
                OpenHour = 0,
                CloseHour = 24,
                HoldingCapacity = int.MaxValue,
                ServiceMeanHours = [1.0, 1.0],
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

    /// <summary>Poisson arrival times with rate <paramref name="lambda"/> per hour over [0, horizon), in continuous time.</summary>
    internal static double[] PoissonArrivals(double lambda, double horizonHours, ulong seed, string key)
    {
        var stream = RandomStream.For(seed, 0, "erlang-c-test:" + key, "arrivals");
        var times = new List<double>((int)(lambda * horizonHours * 1.05) + 16);
        var t = stream.Exponential(1.0 / lambda);
        while (t < horizonHours)
        {
            times.Add(t);
            t += stream.Exponential(1.0 / lambda);
        }

        return [.. times];
    }

    /// <summary>Feeds the arrivals to a fresh gate, step by step over [0, horizon), and returns the gate.</summary>
    internal static GateModel Drive(int lanes, double[] arrivals, double horizonHours, double stepHours, ulong serviceSeed, string gateId)
    {
        var statisticsDays = (int)Math.Ceiling((horizonHours - WarmupHours) / 24.0) + 1;
        var gate = new GateModel(0, SingleQueueGate(lanes, gateId), commodityCount: 1, serviceSeed, replication: 0, WarmupHours, statisticsDays);
        var next = 0;
        var steps = (long)Math.Round(horizonHours / stepHours);
        for (long s = 0; s < steps; s++)
        {
            var t0 = s * stepHours;
            var t1 = (s + 1) * stepHours;
            while (next < arrivals.Length && arrivals[next] < t1)
            {
                gate.Inbox.Add(new GateArrivalMessage(Gate: 0, EntryPost: 0, Truck: next, Time: arrivals[next], Commodity: 0, Kg: 1000, ValueUsd: 0, Traffic: TrafficKind.Trade));
                next++;
            }

            gate.Step(t0, t1);
        }

        return gate;
    }

    /// <summary>Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = lambda / mu &lt; c.</summary>
    internal static double ErlangC(int c, double a)
    {
        // Erlang B by its numerically stable recursion, then C from B.
        var b = 1.0;
        for (var k = 1; k <= c; k++)
        {
            b = a * b / (k + (a * b));
        }

        return c * b / (c - (a * (1 - b)));
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what)
    {
        if (actual == expected)
        {
            return;
        }

        var error = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), Math.Abs(actual));
        Assert.True(error <= tolerance, $"{what}: expected {expected:G6}, got {actual:G6} ({error:P2} off, tolerance {tolerance:P2})");
    }
}
