using Parquet;
using Parquet.Schema;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>
/// `tradesim export --format parquet`: the same tidy tables as the CSV (per-run KPIs, or with `--series` the daily
/// series), as one Parquet file that pandas (`read_parquet`), R (`arrow::read_parquet`) and DuckDB read directly.
/// Columns are typed (batch int64, replication int32, seed uint64, value double (null where the run had no data), day int32, mean_queue float);
/// rows go out in row groups of <see cref="RowsPerGroup"/>, so memory does not grow with the batch.
/// </summary>
internal static class ParquetExport
{
    public const int RowsPerGroup = 100_000;

    public static readonly ParquetSchema KpiSchema = new(
        new DataField<long>("batch"),
        new DataField<string>("scenario"),
        new DataField<int>("replication"),
        new DataField<ulong>("seed"),
        new DataField<string>("kpi"),
        new DataField<string>("group"),
        new DataField<string>("entity"),
        new DataField<string>("measure"),
        new DataField<double?>("value"));

    public static readonly ParquetSchema SeriesSchema = new(
        new DataField<long>("batch"),
        new DataField<string>("scenario"),
        new DataField<int>("replication"),
        new DataField<ulong>("seed"),
        new DataField<string>("gate"),
        new DataField<int>("day"),
        new DataField<float>(KpiCatalogue.GateMeanQueue.Measure));

    public static void WriteKpis(Stream stream, IResultStore store, long batchId) =>
        Write(stream, KpiSchema, BatchCsvWriter.TidyRows(store, batchId), static (rows, group) => WriteKpiGroup(rows, group));

    public static void WriteSeries(Stream stream, IResultStore store, long batchId) =>
        Write(stream, SeriesSchema, BatchCsvWriter.SeriesRows(store, batchId), static (rows, group) => WriteSeriesGroup(rows, group));

    private static void Write<T>(Stream stream, ParquetSchema schema, IEnumerable<T> rows, Func<List<T>, ParquetRowGroupWriter, Task> writeGroup)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // The command line is synchronous and has no synchronisation context: waiting here cannot deadlock.
        var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        try
        {
            var buffer = new List<T>(RowsPerGroup);
            foreach (var row in rows)
            {
                buffer.Add(row);
                if (buffer.Count == RowsPerGroup)
                {
                    Flush(writer, buffer, writeGroup);
                }
            }

            if (buffer.Count > 0)
            {
                Flush(writer, buffer, writeGroup);
            }
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void Flush<T>(ParquetWriter writer, List<T> buffer, Func<List<T>, ParquetRowGroupWriter, Task> writeGroup)
    {
        using (var group = writer.CreateRowGroup())
        {
            writeGroup(buffer, group).GetAwaiter().GetResult();
        }

        buffer.Clear();
    }

    private static ReadOnlyMemory<TValue> Values<TRow, TValue>(List<TRow> rows, Func<TRow, TValue> value) =>
        new([.. rows.Select(value)]);

    private static async Task WriteKpiGroup(List<BatchCsvWriter.TidyRow> rows, ParquetRowGroupWriter group)
    {
        var f = KpiSchema.GetDataFields();
        await group.WriteAsync(f[0], Values(rows, r => r.Batch)).ConfigureAwait(false);
        await group.WriteAsync(f[1], rows.Select(r => r.Scenario).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[2], Values(rows, r => r.Replication)).ConfigureAwait(false);
        await group.WriteAsync(f[3], Values(rows, r => r.Seed)).ConfigureAwait(false);
        await group.WriteAsync(f[4], rows.Select(r => r.Kpi).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[5], rows.Select(r => r.Group).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[6], rows.Select(r => r.Entity).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[7], rows.Select(r => r.Measure).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[8], Values(rows, r => double.IsNaN(r.Value) ? (double?)null : r.Value)).ConfigureAwait(false);
    }

    private static async Task WriteSeriesGroup(List<BatchCsvWriter.SeriesRow> rows, ParquetRowGroupWriter group)
    {
        var f = SeriesSchema.GetDataFields();
        await group.WriteAsync(f[0], Values(rows, r => r.Batch)).ConfigureAwait(false);
        await group.WriteAsync(f[1], rows.Select(r => r.Scenario).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[2], Values(rows, r => r.Replication)).ConfigureAwait(false);
        await group.WriteAsync(f[3], Values(rows, r => r.Seed)).ConfigureAwait(false);
        await group.WriteAsync(f[4], rows.Select(r => r.Gate).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(f[5], Values(rows, r => r.Day)).ConfigureAwait(false);
        await group.WriteAsync(f[6], Values(rows, r => r.MeanQueue)).ConfigureAwait(false);
    }
}
