using TradeSim.Grains.Runs;
using TradeSim.Grains.Tests.Support;
using TradeSim.Kernel;
using TradeSim.Tests.Shared;

namespace TradeSim.Grains.Tests;

/// <summary>The stored form of a run and its digest, which tells an identical duplicate from a conflicting one.</summary>
public sealed class RunRecordTests
{
    private static readonly Lazy<RunResult> ShortBaselineRun = new(() =>
        new ReplicationRunner().Run(TestScenarios.ShortBaseline(), seed: 11, replication: 2, CancellationToken.None)!);

    private static RunRecord Record(
        double trucks = 120,
        string trucksName = "gate.a.trucks",
        double tonnes = 2400.5,
        float queue = 3.25f,
        bool conserved = true,
        bool swapped = false)
    {
        var kpis = new List<KpiValue> { new(trucksName, trucks), new("gate.a.tonnes", tonnes) };
        if (swapped)
        {
            kpis.Reverse();
        }

        return new RunRecord(kpis, [("a", [1.5f, queue]), ("b", [0f])], conserved);
    }

    private static double NextBit(double value) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(value) ^ 1);

    [Fact]
    public void Digest_EqualRecords_AreEqual()
    {
        var a = Record();
        var b = Record();

        Assert.NotSame(a, b);
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(32, a.Digest.Length);
    }

    [Fact]
    public void Digest_AnyChange_Differs()
    {
        var reference = Convert.ToHexString(Record().Digest);
        var changed = new Dictionary<string, RunRecord>(StringComparer.Ordinal)
        {
            ["the lowest bit of a KPI value"] = Record(tonnes: NextBit(2400.5)),
            ["a KPI name"] = Record(trucksName: "gate.b.trucks"),
            ["the order of the KPIs"] = Record(swapped: true),
            ["the lowest bit of a daily queue value"] = Record(queue: BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(3.25f) ^ 1)),
            ["the conserved flag"] = Record(conserved: false),
            ["a gate of the daily queues"] = new RunRecord([new("gate.a.trucks", 120), new("gate.a.tonnes", 2400.5)], [("a", [1.5f, 3.25f]), ("c", [0f])], true),
            ["the length of a daily series"] = new RunRecord([new("gate.a.trucks", 120), new("gate.a.tonnes", 2400.5)], [("a", [1.5f, 3.25f]), ("b", [0f, 0f])], true),
        };

        Assert.NotEqual(2400.5, NextBit(2400.5));
        foreach (var (what, record) in changed)
        {
            Assert.True(Convert.ToHexString(record.Digest) != reference, $"changing {what} left the digest unchanged");
        }

        Assert.Equal(changed.Count, changed.Values.Select(r => Convert.ToHexString(r.Digest)).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Constructor_NegativeZero_IsStoredAndDigestedAsPositiveZero()
    {
        var negative = Record(trucks: -0.0);
        var positive = Record(trucks: 0.0);

        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(negative.Kpis[0].Value));
        Assert.Equal(positive.Digest, negative.Digest);
        Assert.NotEqual(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(0.0));
    }

    [Fact]
    public void Of_ShortBaselineRun_HoldsTheKpisOfRunKpisExtract()
    {
        var result = ShortBaselineRun.Value;

        var record = RunRecord.Of(result);
        var expected = KpiCatalogue.Extract(result);

        Assert.Equal(5, result.Days);
        Assert.True(expected.Count > 20, $"only {expected.Count} KPIs");
        Assert.Equal(expected.Select(k => k.Name), record.Kpis.Select(k => k.Name));
        Assert.Equal(expected.Select(k => BitConverter.DoubleToInt64Bits(k.Value + 0.0)), record.Kpis.Select(k => BitConverter.DoubleToInt64Bits(k.Value)));
        Assert.Contains(record.Kpis, k => k.Value != 0);
        var queues = DailyQueueSeries.Of(result);
        Assert.Equal(queues.Select(q => q.Gate), record.DailyQueues.Select(q => q.Gate));
        Assert.Equal(queues.Select(q => q.MeanQueue), record.DailyQueues.Select(q => q.MeanQueue));
        Assert.All(record.DailyQueues, q => Assert.Equal(5, q.MeanQueue.Length));
        Assert.True(result.Conservation.Balances, "the short baseline run must conserve every tonne");
        Assert.True(record.Conserved);
        Assert.Equal(record.Digest, RunRecord.Of(result).Digest);
    }
}
