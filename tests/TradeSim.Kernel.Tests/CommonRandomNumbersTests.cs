using TradeSim.Kernel;
using TradeSim.Kernel.Randomness;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Common random numbers: each entity's streams are derived from (seed, replication, entity key, purpose), so changing
/// one gate leaves every entity that cannot feel the change on exactly the same draws.
/// </summary>
public class CommonRandomNumbersTests
{
    private const int Draws = 64;

    [Fact]
    public void For_SameIdentity_SameSequence()
    {
        var a = RandomStream.For(42, 3, "nam-giang", "service:vn");
        var b = RandomStream.For(42, 3, "nam-giang", "service:vn");

        Assert.Equal(Sequence(a), Sequence(b));
        Assert.Equal(RandomStream.DeriveSeed(42, 3, "nam-giang", "service:vn"), RandomStream.DeriveSeed(42, 3, "nam-giang", "service:vn"));
    }

    [Theory]
    [InlineData(43UL, 3, "nam-giang", "service:vn")]
    [InlineData(42UL, 4, "nam-giang", "service:vn")]
    [InlineData(42UL, 0, "nam-giang", "service:vn")]
    [InlineData(42UL, 3, "bo-y", "service:vn")]
    [InlineData(42UL, 3, "nam-giang", "service:la")]
    [InlineData(42UL, 3, "nam-gian", "gservice:vn")]
    public void For_OnePartChanged_DifferentSequence(ulong seed, int replication, string key, string purpose)
    {
        var reference = Sequence(RandomStream.For(42, 3, "nam-giang", "service:vn"));
        var changed = Sequence(RandomStream.For(seed, replication, key, purpose));

        // Not merely a different sequence: two independent 64-bit streams agree at a position with probability 2^-64.
        Assert.Equal(0, reference.Zip(changed).Count(p => p.First == p.Second));
    }

    [Fact]
    public void NextDouble_FixedSeed_UniformMeanAndVariance()
    {
        // 200,000 uniforms: mean 1/2 and variance 1/12, each within 1% (about 7 and 4 standard errors).
        var stream = RandomStream.For(1, 0, "uniform-check", "test");
        var values = Enumerable.Range(0, 200_000).Select(_ => stream.NextDouble()).ToArray();
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);

        Assert.All(values, v => Assert.InRange(v, 0.0, 0.9999999999999999));
        Assert.InRange(mean, 0.495, 0.505);
        Assert.InRange(variance, (1.0 / 12) * 0.99, (1.0 / 12) * 1.01);
    }

    [Fact]
    public void Run_NamGiangLanesChanged_UnrelatedGatesAndCommoditiesIdentical()
    {
        var baseline = BaselineRuns.BaselineSeed1;
        var edited = BaselineRuns.WithGate(
            BaselineRuns.BaselineDefinition,
            "nam-giang",
            g => g with { Posts = g.Posts.Select(p => p.Country == "vn" ? p with { Lanes = 4 } : p).ToList() });
        Assert.Equal(4, edited.Gates.Single(g => g.Id == "nam-giang").Posts.Single(p => p.Country == "vn").Lanes);
        var changed = BaselineRuns.Run(edited, seed: 1, replication: 0);

        // Lai Chau (ma-lu-thang and the closed crossing points) and Ha Tinh (cha-lo) share no carrier, province or gate with
        // nam-giang, so their draws, and therefore their results, must be bit for bit the same.
        foreach (var id in new[] { "ma-lu-thang", "gia-khau", "po-to", "si-choang", "cha-lo" })
        {
            var a = BaselineRuns.Gate(baseline, id);
            var b = BaselineRuns.Gate(changed, id);
            Assert.Equal(a.Trucks, b.Trucks);
            Assert.Equal(a.Tonnes, b.Tonnes);
            Assert.Equal(a.MeanHoursToCross, b.MeanHoursToCross);
            Assert.Equal(a.P95HoursToCross, b.P95HoursToCross);
        }

        Assert.True(BaselineRuns.Gate(baseline, "ma-lu-thang").Trucks > 0 && BaselineRuns.Gate(baseline, "cha-lo").Trucks > 0, "the compared gates must carry traffic");

        var herbs = baseline.Commodities.Single(c => c.Id == "medicinal-herbs");
        var herbsChanged = changed.Commodities.Single(c => c.Id == "medicinal-herbs");
        Assert.True(herbs.ProducedTonnes > 0);
        Assert.Equal(herbs.ProducedTonnes, herbsChanged.ProducedTonnes);
        Assert.Equal(herbs.DeliveredTonnes, herbsChanged.DeliveredTonnes);

        // Nam Giang itself did change: twice the lanes at its Vietnamese post shorten the wait there.
        var before = BaselineRuns.Gate(baseline, "nam-giang");
        var after = BaselineRuns.Gate(changed, "nam-giang");
        Assert.NotEqual(before.MeanHoursToCross, after.MeanHoursToCross);
        var vnBefore = before.Posts.Single(p => p.Country == "vn");
        var vnAfter = after.Posts.Single(p => p.Country == "vn");
        Assert.True(vnAfter.MeanWaitHours < vnBefore.MeanWaitHours, $"vn wait {vnBefore.MeanWaitHours:F3} h with 2 lanes, {vnAfter.MeanWaitHours:F3} h with 4");
    }

    private static ulong[] Sequence(RandomStream stream) => Enumerable.Range(0, Draws).Select(_ => stream.NextUInt64()).ToArray();
}
