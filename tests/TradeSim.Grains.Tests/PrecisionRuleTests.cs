using MathNet.Numerics.Distributions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Tests.Support;

namespace TradeSim.Grains.Tests;

/// <summary>
/// `--precision` stops where it should on cases with a known variance. The expected stopping points are computed
/// here from closed forms (t quantiles from MathNet's StudentT, not from <see cref="PrecisionRule.StudentQuantile"/>),
/// written independently of <see cref="PrecisionRule"/>. The batch grain applies the rule between rounds to the
/// headline KPIs of the stored runs (<see cref="PrecisionRule.HeadlineSpreads"/>).
/// </summary>
/// <remarks>
/// The synthetic KPI alternates mu + sigma, mu - sigma, mu + sigma, ... Its first n values have, in closed form:
/// n even: mean mu, sum of squared deviations n sigma^2, so s^2 = sigma^2 n / (n - 1);
/// n odd (n = 2k + 1, k + 1 values above): mean mu + sigma / n; deviations sigma (n - 1) / n (k + 1 times) and
/// -sigma (n + 1) / n (k times); sum of squares = sigma^2 / n^2 [(n + 1)(n - 1)^2 / 2 + (n - 1)(n + 1)^2 / 2]
/// = sigma^2 (n^2 - 1) / n, so s^2 = sigma^2 (n + 1) / n.
/// </remarks>
public sealed class PrecisionRuleTests
{
    private static double T975(int degreesOfFreedom) => StudentT.InvCDF(0, 1, degreesOfFreedom, 0.975);

    private static double[] Alternating(double mu, double sigma, int n) =>
        Enumerable.Range(0, n).Select(i => i % 2 == 0 ? mu + sigma : mu - sigma).ToArray();

    private static double ClosedFormMean(double mu, double sigma, int n) => n % 2 == 0 ? mu : mu + (sigma / n);

    private static double ClosedFormSd(double sigma, int n) =>
        n % 2 == 0 ? sigma * Math.Sqrt(n / (n - 1.0)) : sigma * Math.Sqrt((n + 1.0) / n);

    /// <summary>The rule by hand: t(0.975, n - 1) s / sqrt(n) &lt;= P |mean|.</summary>
    private static bool MetByHand(double mean, double sd, int n, double precision) =>
        n >= 2 && T975(n - 1) * sd / Math.Sqrt(n) <= precision * Math.Abs(mean);

    private static int FirstPreciseN(double mu, double sigma, double precision)
    {
        for (var n = 2; n < 1_000_000; n++)
        {
            if (MetByHand(ClosedFormMean(mu, sigma, n), ClosedFormSd(sigma, n), n, precision))
            {
                return n;
            }
        }

        throw new InvalidOperationException("never precise");
    }

    [Fact]
    public void ClosedForms_MatchSpreadOfTheSyntheticValues()
    {
        for (var n = 2; n <= 41; n++)
        {
            var s = PrecisionRule.Spread(Alternating(100, 10, n));
            Assert.Equal(ClosedFormMean(100, 10, n), s.Mean, 1e-9);
            Assert.Equal(ClosedFormSd(10, n), s.StandardDeviation, 1e-9);
            Assert.Equal(T975(n - 1) * ClosedFormSd(10, n) / Math.Sqrt(n), s.HalfWidth, 1e-9);
        }
    }

    [Theory]
    [InlineData(100.0, 10.0, 0.02)] // s about 10, needs t s / sqrt(n) <= 2: near (1.98 * 10 / 2)^2 = 98
    [InlineData(100.0, 10.0, 0.05)] // near (2.02 * 10 / 5)^2 = 16
    [InlineData(50.0, 20.0, 0.10)]  // s / mean = 0.4: near (2.06 * 0.4 / 0.1)^2 = 68
    [InlineData(1000.0, 5.0, 0.01)] // s / mean = 0.005: t(n - 1) s / sqrt(n) <= 10 already at n = 3 (4.30 * 5.77 / 1.73 = 14.3 no; n = 4: 3.18 * 5.77 / 2 = 9.2 yes)
    [InlineData(-80.0, 8.0, 0.03)]  // a negative mean: |mean| counts
    public void IsMet_AlternatingValues_FalseBeforeTheClosedFormNAndTrueAtIt(double mu, double sigma, double precision)
    {
        var n = FirstPreciseN(mu, sigma, precision);

        Assert.True(n > 2, $"case too easy: precise at n = {n}");
        Assert.False(PrecisionRule.IsMet(PrecisionRule.Spread(Alternating(mu, sigma, n - 1)), precision), $"met at n - 1 = {n - 1}");
        Assert.True(PrecisionRule.IsMet(PrecisionRule.Spread(Alternating(mu, sigma, n)), precision), $"not met at n = {n}");
    }

    [Fact]
    public void IsMet_KnownCase_StopsAtTheHandComputedN()
    {
        // mu = 1000, sigma = 5, P = 0.01: the target half-width is 0.01 * 1000 = 10 (the mean is 1000 for even n
        // and 1000 + 5/n for odd n, which moves the target by at most 0.02).
        // n = 3: s = 5 sqrt(4/3) = 5.7735; t(0.975, 2) = 4.3027; half = 4.3027 * 5.7735 / sqrt(3) = 14.342 > 10.0167
        // n = 4: s = 5 sqrt(4/3) = 5.7735; t(0.975, 3) = 3.1824; half = 3.1824 * 5.7735 / 2 = 9.1870 <= 10
        Assert.Equal(4, FirstPreciseN(1000, 5, 0.01));
        Assert.False(PrecisionRule.IsMet(PrecisionRule.Spread(Alternating(1000, 5, 3)), 0.01));
        Assert.True(PrecisionRule.IsMet(PrecisionRule.Spread(Alternating(1000, 5, 4)), 0.01));
    }

    [Fact]
    public void IsMet_FewerThanTwoValues_NeverMet()
    {
        Assert.False(PrecisionRule.IsMet(PrecisionRule.Spread([]), 0.5));
        Assert.False(PrecisionRule.IsMet(PrecisionRule.Spread([42.0]), 0.5));
    }

    [Fact]
    public void IsMet_ConstantValues_MetEvenWhenZero()
    {
        // A KPI that does not vary is exact: a gate no truck uses (all zeros) must not hold a batch back.
        Assert.True(PrecisionRule.IsMet(PrecisionRule.Spread([0.0, 0.0]), 0.01));
        Assert.True(PrecisionRule.IsMet(PrecisionRule.Spread([5.0, 5.0, 5.0]), 0.0001));
    }

    [Theory]
    [InlineData(100.0, 10.0, 0.02, 200, true)]      // needs about 98: from n = 49 on, the estimate lies within [n + 1, 2n]
    [InlineData(100.0, 10.0, 0.02, 60, false)]      // the maximum (60) caps every estimate
    [InlineData(100.0, 10.0, 0.05, 200, true)]      // needs about 16
    [InlineData(50.0, 20.0, 0.10, 100, true)]       // needs about 68
    [InlineData(100.0, 30.0, 0.01, 100_000, false)] // needs about 3,500: doubling caps every round up to n = 150
    public void NextTarget_AlternatingValues_WithinBoundsAndTheClosedFormEstimateWhenInRange(double mu, double sigma, double precision, int maximum, bool estimateReachable)
    {
        var inRangeChecked = 0;
        var unmetChecked = 0;
        for (var current = 2; current <= Math.Min(maximum, 150); current++)
        {
            var spread = PrecisionRule.Spread(Alternating(mu, sigma, current));
            var mean = ClosedFormMean(mu, sigma, current);
            var sd = ClosedFormSd(sigma, current);
            var met = MetByHand(mean, sd, current, precision);

            var next = PrecisionRule.NextTarget([spread], precision, current, maximum);

            Assert.True(next <= maximum, $"n = {current}: next {next} above the maximum {maximum}");
            Assert.True(next <= 2 * current, $"n = {current}: next {next} more than doubles");
            Assert.True(next >= Math.Min(current + 1, maximum), $"n = {current}: next {next} adds nothing");
            if (met)
            {
                // A met KPI asks for nothing: the rule only adds the minimum one more.
                Assert.Equal(Math.Min(current + 1, maximum), next);
                continue;
            }

            // The estimate: n such that t(0.975, current - 1) s / sqrt(n) = P |mean|, i.e. (t s / (P |mean|))^2.
            var exact = Math.Pow(T975(current - 1) * sd / (precision * Math.Abs(mean)), 2);
            var estimate = Math.Ceiling(exact);
            if (Math.Abs(exact - Math.Round(exact)) < 1e-9)
            {
                continue; // on an integer: the last bit of rounding decides the ceiling; nothing to learn here
            }

            var expected = (int)Math.Min(maximum, Math.Min(2 * current, Math.Max(current + 1, estimate)));
            Assert.Equal(expected, next);
            unmetChecked++;
            if (estimate >= current + 1 && estimate <= Math.Min(2 * current, maximum))
            {
                Assert.Equal(estimate, next);
                inRangeChecked++;
            }
        }

        Assert.True(unmetChecked > 0, "every n met the rule: the test checked nothing");
        Assert.Equal(estimateReachable, inRangeChecked > 0);
    }

    [Fact]
    public void NextTarget_SeveralKpis_TheMostDemandingWinsAndMetOnesAreIgnored()
    {
        // n = 10 alternating values: s = sigma sqrt(10/9); t(0.975, 9) = 2.2622.
        // KPI a: mu 100, sigma 10, P 0.05: estimate (2.2622 * 10.541 / 5)^2 = 22.7 -> 23 (above 2n = 20: capped at 20)
        // KPI b: mu 100, sigma 5: half-width 2.2622 * 5.2705 / sqrt(10) = 3.77 <= 5: met, ignored.
        // KPI c: constant: met, ignored. With nothing unmet the rule asks for one more: 11.
        var a = PrecisionRule.Spread(Alternating(100, 10, 10));
        var b = PrecisionRule.Spread(Alternating(100, 5, 10));
        var c = PrecisionRule.Spread(Enumerable.Repeat(7.0, 10).ToArray());
        var tS = T975(9) * 10 * Math.Sqrt(10.0 / 9.0);
        Assert.Equal(23, Math.Ceiling(Math.Pow(tS / 5, 2)));
        Assert.True(PrecisionRule.IsMet(b, 0.05), "b is already precise at n = 10");

        Assert.Equal(20, PrecisionRule.NextTarget([b, c, a], 0.05, 10, 200));
        Assert.Equal(11, PrecisionRule.NextTarget([b, c], 0.05, 10, 200));
        Assert.Equal(11, PrecisionRule.NextTarget([], 0.05, 10, 200));
        Assert.Equal(15, PrecisionRule.NextTarget([b, c, a], 0.05, 10, 15));

        // With a looser cap the same KPI asks for its estimate: at n = 12, s = 10 sqrt(12/11), t(0.975, 11) = 2.2010:
        // (2.2010 * 10.445 / 5)^2 = 21.1 -> 22, within [13, 24].
        var a12 = PrecisionRule.Spread(Alternating(100, 10, 12));
        var expected12 = Math.Ceiling(Math.Pow(T975(11) * 10 * Math.Sqrt(12.0 / 11.0) / 5, 2));
        Assert.Equal(22, expected12);
        Assert.Equal(22, PrecisionRule.NextTarget([a12, b, c], 0.05, 12, 200));
    }

    [Fact]
    public void NextTarget_ZeroMeanWithSpread_DoublesWithinTheMaximum()
    {
        // P x |mean| = 0 cannot be reached: ask for as much as allowed.
        var s = PrecisionRule.Spread([-1.0, 1.0, -1.0, 1.0]);

        Assert.False(PrecisionRule.IsMet(s, 0.05));
        Assert.Equal(8, PrecisionRule.NextTarget([s], 0.05, 4, 200));
        Assert.Equal(6, PrecisionRule.NextTarget([s], 0.05, 4, 6));
    }

    /// <summary>
    /// The rounds a precision batch drives, on a stream of seeded normal draws with known sigma: FirstRound replications,
    /// then NextTarget of the results so far, until the rule is met or the maximum is reached.
    /// </summary>
    [Theory]
    [InlineData(1, 100.0, 10.0, 0.02)]
    [InlineData(2, 100.0, 10.0, 0.02)]
    [InlineData(3, 500.0, 60.0, 0.03)]
    [InlineData(4, 20.0, 1.0, 0.01)]
    [InlineData(5, 100.0, 2.0, 0.05)] // precise already in the first round
    public void Rounds_SeededNormalStream_StopAtAPreciseRoundAfterAnImpreciseOne(int seed, double mu, double sigma, double precision)
    {
        const int maximum = 10_000;
        var random = new Random(seed);
        var stream = new List<double>();
        double Draw()
        {
            // Box-Muller from two uniforms in (0, 1].
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return mu + (sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        var rounds = new List<int>();
        var planned = PrecisionRule.FirstRound;
        while (true)
        {
            while (stream.Count < planned)
            {
                stream.Add(Draw());
            }

            rounds.Add(planned);
            var spread = PrecisionRule.Spread(stream);
            if (PrecisionRule.IsMet(spread, precision) || planned >= maximum)
            {
                break;
            }

            var next = PrecisionRule.NextTarget([spread], precision, planned, maximum);
            Assert.InRange(next, planned + 1, 2 * planned);
            planned = next;
        }

        var n = rounds[^1];
        var values = stream.Take(n).ToList();
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        Assert.True(MetByHand(mean, sd, n, precision), $"stopped at n = {n} (rounds {string.Join(", ", rounds)}) without meeting the rule");

        // The expected size of the stopping point: (1.96 sigma / (P mu))^2 give or take sampling noise and the t factor.
        var expected = Math.Pow(1.96 * sigma / (precision * Math.Abs(mu)), 2);
        if (rounds.Count == 1)
        {
            Assert.Equal(PrecisionRule.FirstRound, n);
            Assert.True(expected < PrecisionRule.FirstRound, $"stopped in the first round, but about {expected:F0} replications were needed");
            return;
        }

        var previous = rounds[^2];
        var before = stream.Take(previous).ToList();
        var previousMean = before.Average();
        var previousSd = Math.Sqrt(before.Sum(v => (v - previousMean) * (v - previousMean)) / (previous - 1));
        Assert.False(MetByHand(previousMean, previousSd, previous, precision), $"round n = {previous} already met the rule, yet the batch went on to {n}");
        Assert.InRange(n, 0.5 * expected, 2.5 * expected);
    }

    [Theory]
    [InlineData(1, 12.7062)]
    [InlineData(2, 4.3027)]
    [InlineData(9, 2.2622)]
    [InlineData(30, 2.0423)]
    [InlineData(1000, 1.9623)]
    public void StudentQuantile_DegreesOfFreedom_MatchesTheTables(int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, PrecisionRule.StudentQuantile(degreesOfFreedom), 4);
        Assert.Equal(T975(degreesOfFreedom), PrecisionRule.StudentQuantile(degreesOfFreedom), 12);
    }

    [Fact]
    public void StudentQuantile_OtherConfidence_IsTheTwoSidedQuantile()
    {
        Assert.Equal(StudentT.InvCDF(0, 1, 9, 0.95), PrecisionRule.StudentQuantile(9, 0.90), 12);
        Assert.Equal(3.2498, PrecisionRule.StudentQuantile(9, 0.99), 4);
    }

    [Fact]
    public void Spread_NoneOrOneValue_HasNoWidthToSpeakOf()
    {
        var none = PrecisionRule.Spread([]);
        var one = PrecisionRule.Spread([42.0]);

        Assert.Equal(0, none.N);
        Assert.True(double.IsNaN(none.Mean) && double.IsNaN(none.StandardDeviation) && double.IsNaN(none.HalfWidth), $"empty spread: {none}");
        Assert.Equal(new KpiSpread(42.0, 0, 0, 1), one);
    }

    [Fact]
    public void Spread_KnownValues_MeanSampleSdAndHalfWidth()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sample sd sqrt(32 / 7).
        var s = PrecisionRule.Spread([2.0, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(8, s.N);
        Assert.Equal(5.0, s.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), s.StandardDeviation, 12);
        Assert.Equal(T975(7) * Math.Sqrt(32.0 / 7) / Math.Sqrt(8), s.HalfWidth, 12);
    }

    [Fact]
    public void IsMet_Overloads_AgreeWithTheRuleByHand()
    {
        Assert.True(PrecisionRule.IsMet(mean: 100, halfWidth: 5, n: 2, precision: 0.05));
        Assert.False(PrecisionRule.IsMet(mean: 100, halfWidth: 5.0001, n: 2, precision: 0.05));
        Assert.True(PrecisionRule.IsMet(mean: -100, halfWidth: 5, n: 2, precision: 0.05));
        Assert.False(PrecisionRule.IsMet(mean: 100, halfWidth: 0, n: 1, precision: 0.05));

        var met = PrecisionRule.Spread(Alternating(1000, 5, 4));
        var unmet = PrecisionRule.Spread(Alternating(1000, 5, 3));
        Assert.True(PrecisionRule.IsMet([met, met], 0.01));
        Assert.False(PrecisionRule.IsMet([met, unmet], 0.01));
        Assert.True(PrecisionRule.IsMet(Array.Empty<KpiSpread>(), 0.01));
    }

    [Fact]
    public void HeadlineSpreads_StoredRuns_HeadlineKpisOfCompleteReplicationsPerScenarioInNameOrder()
    {
        // Scenario 0 finished replications 0, 1, 2; scenario 1 only 0 and 1: replication 2 is left out everywhere,
        // as a paired comparison would leave it out. gate.a.tonnes and flow.f.tonnes are not headline KPIs; gate b
        // carries under 100 trucks on average, so its headline KPI is not judged.
        static StoredRun Run(int position, int replication, double trucks, double value, double hours) =>
            new(position, replication, new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["gate.a.trucks"] = trucks,
                ["gate.a.tonnes"] = 1e9 + replication,
                ["gate.b.trucks"] = replication,
                ["total.trade_value_usd"] = value,
                ["corridor.c.hours_to_cross"] = hours,
                ["flow.f.tonnes"] = -replication,
            });
        var runs = new[]
        {
            Run(0, 0, 1000, 1000, 5),
            Run(0, 1, 1400, 1100, 7),
            Run(0, 2, 99, 9999, 99),
            Run(1, 0, 2000, 2000, 3),
            Run(1, 1, 2600, 2300, 3),
        };

        var judged = PrecisionRule.Judged(CompleteReplications.Of(runs, 2), scenarios: 2);

        Assert.Equal(
            [
                new HeadlineSpread(0, "corridor.c.hours_to_cross", PrecisionRule.Spread([5.0, 7])),
                new HeadlineSpread(0, "gate.a.trucks", PrecisionRule.Spread([1000.0, 1400])),
                new HeadlineSpread(0, "total.trade_value_usd", PrecisionRule.Spread([1000.0, 1100])),
                new HeadlineSpread(1, "corridor.c.hours_to_cross", PrecisionRule.Spread([3.0, 3])),
                new HeadlineSpread(1, "gate.a.trucks", PrecisionRule.Spread([2000.0, 2600])),
                new HeadlineSpread(1, "total.trade_value_usd", PrecisionRule.Spread([2000.0, 2300])),
            ],
            judged);
    }

    [Fact]
    public void Judged_ACorridorWithLittleTraffic_IsNotJudged_ItsTotalsAre()
    {
        // A corridor of 3 trucks a run: its crossing time varies wildly and would hold the batch to its maximum.
        var runs = Enumerable.Range(0, 4).Select(r => new StoredRun(0, r, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["corridor.quiet.trucks"] = 3,
            ["corridor.quiet.hours_to_cross"] = r * 10,
            ["corridor.busy.trucks"] = PrecisionRule.MaterialTrucks,
            ["corridor.busy.hours_to_cross"] = 2,
            ["total.logistics_cost_per_tonne_usd"] = 20 + r,
        })).ToList();

        var judged = PrecisionRule.Judged(CompleteReplications.Of(runs, 1), scenarios: 1);

        Assert.Equal(["corridor.busy.hours_to_cross", "total.logistics_cost_per_tonne_usd"], judged.Select(j => j.Kpi));
    }

    [Fact]
    public void HeadlineSpreads_NoReplicationFinishedInEveryScenario_HasNothingToJudge()
    {
        var runs = new[] { new StoredRun(0, 0, new Dictionary<string, double>(StringComparer.Ordinal) { ["gate.a.trucks"] = PrecisionRule.MaterialTrucks }) };

        Assert.Empty(PrecisionRule.HeadlineSpreads(CompleteReplications.Of(runs, 2), scenarios: 2));
        Assert.Single(PrecisionRule.HeadlineSpreads(CompleteReplications.Of(runs, 1), scenarios: 1));
    }
}
