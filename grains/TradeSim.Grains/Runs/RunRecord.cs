using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TradeSim.Kernel;

namespace TradeSim.Grains.Runs;

/// <summary>
/// What a result store keeps of one finished run: its KPIs in order, each gate's daily mean queue, and whether the run
/// conserved every tonne. <see cref="Digest"/> identifies the exact bytes, so a duplicate execution of a run (at-least-
/// once dispatch) can be checked to have produced the identical result. Wall-clock data is not part of it.
/// </summary>
public sealed class RunRecord
{
    public RunRecord(IReadOnlyList<KpiValue> kpis, IReadOnlyList<(string Gate, float[] MeanQueue)> dailyQueues, bool conserved)
    {
        ArgumentNullException.ThrowIfNull(kpis);
        ArgumentNullException.ThrowIfNull(dailyQueues);

        // -0.0 becomes +0.0: the stores would not keep the sign of an integral zero, and the digest must match what they keep.
        Kpis = kpis.Select(k => new KpiValue(k.Name, k.Value + 0.0)).ToList();
        DailyQueues = dailyQueues;
        Conserved = conserved;
        Digest = ComputeDigest();
    }

    public IReadOnlyList<KpiValue> Kpis { get; }

    public IReadOnlyList<(string Gate, float[] MeanQueue)> DailyQueues { get; }

    public bool Conserved { get; }

    /// <summary>SHA-256 of the record's canonical bytes (names, then the IEEE bits of every value, in order).</summary>
    public byte[] Digest { get; }

    /// <summary>The record of a finished run.</summary>
    public static RunRecord Of(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new RunRecord(KpiCatalogue.Extract(result), DailyQueueSeries.Of(result), result.Conservation.Balances);
    }

    private byte[] ComputeDigest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var kpi in Kpis)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(kpi.Name));
            hash.AppendData([0]);
            BinaryPrimitives.WriteInt64LittleEndian(number, BitConverter.DoubleToInt64Bits(kpi.Value));
            hash.AppendData(number);
        }

        hash.AppendData([0xff]);
        foreach (var (gate, series) in DailyQueues)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(gate));
            hash.AppendData([0]);
            BinaryPrimitives.WriteInt32LittleEndian(number, series.Length);
            hash.AppendData(number[..4]);
            foreach (var value in series)
            {
                BinaryPrimitives.WriteInt32LittleEndian(number, BitConverter.SingleToInt32Bits(value));
                hash.AppendData(number[..4]);
            }
        }

        hash.AppendData([Conserved ? (byte)1 : (byte)0]);
        return hash.GetHashAndReset();
    }
}
