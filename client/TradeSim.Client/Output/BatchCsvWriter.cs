using System.Text.Json;
using TradeSim.Client.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>
/// Tidy tables of a batch: one row per (scenario, replication, KPI) for `tradesim export` and `--out`, plus the
/// per-scenario summaries and the paired comparisons. The KPI name is also split into `group`, `entity` and
/// `measure` (`gate`, `nam-giang`, `trucks`; totals have an empty entity) so that pandas, R or DuckDB can pivot
/// without string handling.
/// </summary>
internal static class BatchCsvWriter
{
    private static readonly string[] TidyColumns = ["batch", "scenario", "replication", "seed", "kpi", "group", "entity", "measure", "value"];

    public static void WriteTidyCsv(TextWriter o, IResultStore store, long batchId)
    {
        ArgumentNullException.ThrowIfNull(store);
        Csv.Row(o, TidyColumns);
        foreach (var row in TidyRows(store, batchId))
        {
            Csv.Row(o, row.Batch, row.Scenario, row.Replication, row.Seed, row.Kpi, row.Group, row.Entity, row.Measure, row.Value);
        }
    }

    /// <summary>JSON Lines: one object per row with the same fields as the CSV.</summary>
    public static void WriteTidyJsonl(Stream stream, IResultStore store, long batchId) =>
        WriteJsonLines(stream, TidyRows(store, batchId), static (w, row) =>
        {
            w.WriteNumber("batch", row.Batch);
            w.WriteString("scenario", row.Scenario);
            w.WriteNumber("replication", row.Replication);
            w.WriteNumber("seed", row.Seed);
            w.WriteString("kpi", row.Kpi);
            w.WriteString("group", row.Group);
            w.WriteString("entity", row.Entity);
            w.WriteString("measure", row.Measure);
            if (double.IsFinite(row.Value))
            {
                w.WriteNumber("value", row.Value);
            }
            else
            {
                w.WriteNull("value");
            }
        });

    /// <summary>Writes kpis.csv (tidy), summary.csv and vs_baseline.csv into a folder, and appraisal.csv when a what-if is appraised; returns the paths.</summary>
    public static IReadOnlyList<string> WriteFolder(string directory, IResultStore store, BatchComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        Directory.CreateDirectory(directory);
        var id = comparison.Batch.Id;
        return
        [
            Csv.WriteFile(Path.Combine(directory, "kpis.csv"), o => WriteTidyCsv(o, store, id)),
            Csv.WriteFile(Path.Combine(directory, "summary.csv"), o =>
            {
                Csv.Row(o, "batch", "scenario", "kpi", "mean", "sd", "ci_low", "ci_high", "n");
                foreach (var s in comparison.Scenarios)
                {
                    foreach (var k in s.Kpis)
                    {
                        Csv.Row(o, id, s.Name, k.Kpi, k.Stats.Mean, k.Stats.StandardDeviation, k.Stats.CiLow, k.Stats.CiHigh, k.Stats.N);
                    }
                }
            }),
            Csv.WriteFile(Path.Combine(directory, "vs_baseline.csv"), o =>
            {
                Csv.Row(o, "batch", "scenario", "baseline", "kpi", "mean_diff", "ci_low", "ci_high", "percent", "significant", "n", "unpaired_ci_low", "unpaired_ci_high");
                foreach (var s in comparison.Scenarios.Where(s => !s.IsBaseline))
                {
                    foreach (var k in s.VsBaseline)
                    {
                        var d = k.Paired;
                        Csv.Row(o, id, s.Name, comparison.Baseline.Name, k.Kpi, d.MeanDifference, d.CiLow, d.CiHigh, d.Percent, d.IsSignificant ? "true" : "false", d.N, k.Unpaired.CiLow, k.Unpaired.CiHigh);
                    }
                }
            }),
            .. comparison.Scenarios.Any(s => s.Trade is not null) ? [Csv.WriteFile(Path.Combine(directory, "trade.csv"), o => WriteTrade(o, comparison))] : Array.Empty<string>(),
            .. comparison.Scenarios.Any(s => s.Appraisal is not null) ? [Csv.WriteFile(Path.Combine(directory, "appraisal.csv"), o => WriteAppraisal(o, comparison))] : Array.Empty<string>(),
        ];
    }

    /// <summary>One row per what-if and measure of the trade it creates and diverts against the baseline (see `TradeShift`).</summary>
    private static void WriteTrade(TextWriter o, BatchComparison comparison)
    {
        Csv.Row(o, "batch", "scenario", "baseline", "measure", "mean", "sd", "ci_low", "ci_high", "n");
        foreach (var s in comparison.Scenarios)
        {
            if (s.Trade is not { } t)
            {
                continue;
            }

            foreach (var (measure, stats) in new[]
            {
                ("created_t_per_year", t.CreatedTonnesPerYear),
                ("diverted_t_per_year", t.DivertedTonnesPerYear),
                ("elastic_created_t_per_year", t.ElasticCreatedTonnesPerYear),
            })
            {
                Csv.Row(o, comparison.Batch.Id, s.Name, comparison.Baseline.Name, measure, stats.Mean, stats.StandardDeviation, stats.CiLow, stats.CiHigh, stats.N);
            }
        }
    }

    /// <summary>One row per appraised what-if and measure, with the terms it was appraised on (see `Appraisal`).</summary>
    private static void WriteAppraisal(TextWriter o, BatchComparison comparison)
    {
        Csv.Row(o, "batch", "scenario", "baseline", "discount_rate", "horizon_years", "capital_usd", "operating_usd_per_year", "pv_costs_usd", "measure", "mean", "sd", "ci_low", "ci_high", "n");
        foreach (var s in comparison.Scenarios)
        {
            if (s.Appraisal is not { } a)
            {
                continue;
            }

            foreach (var (measure, stats) in new[]
            {
                ("benefit_usd_per_year", a.BenefitUsdPerYear),
                ("border_truck_hours_saved_per_year", a.BorderHoursSavedPerYear),
                ("pv_benefits_usd", a.PresentValueOfBenefits),
                ("npv_usd", a.NetPresentValue),
                ("benefit_cost_ratio", a.BenefitCostRatio),
            })
            {
                Csv.Row(o, comparison.Batch.Id, s.Name, comparison.Baseline.Name, a.Terms.DiscountRate, a.Terms.HorizonYears, a.Terms.CapitalUsd, a.Terms.OperatingUsdPerYear, a.PresentValueOfCosts, measure, stats.Mean, stats.StandardDeviation, stats.CiLow, stats.CiHigh, stats.N);
            }
        }
    }

    private static readonly string[] SeriesColumns = ["batch", "scenario", "replication", "seed", "gate", "day", KpiCatalogue.GateMeanQueue.Measure];

    /// <summary>The daily series, tidy: one row per (scenario, replication, gate, day of the window).</summary>
    public static void WriteSeriesCsv(TextWriter o, IResultStore store, long batchId)
    {
        ArgumentNullException.ThrowIfNull(store);
        Csv.Row(o, SeriesColumns);
        foreach (var row in SeriesRows(store, batchId))
        {
            Csv.Row(o, row.Batch, row.Scenario, row.Replication, row.Seed, row.Gate, row.Day, row.MeanQueue);
        }
    }

    /// <summary>JSON Lines of the daily series: one object per row with the same fields as the CSV.</summary>
    public static void WriteSeriesJsonl(Stream stream, IResultStore store, long batchId) =>
        WriteJsonLines(stream, SeriesRows(store, batchId), static (w, row) =>
        {
            w.WriteNumber("batch", row.Batch);
            w.WriteString("scenario", row.Scenario);
            w.WriteNumber("replication", row.Replication);
            w.WriteNumber("seed", row.Seed);
            w.WriteString("gate", row.Gate);
            w.WriteNumber("day", row.Day);
            w.WriteNumber(KpiCatalogue.GateMeanQueue.Measure, row.MeanQueue);
        });

    /// <summary>One JSON object per row, each on its own line.</summary>
    private static void WriteJsonLines<T>(Stream stream, IEnumerable<T> rows, Action<Utf8JsonWriter, T> fields)
    {
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var row in rows)
        {
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                fields(w, row);
                w.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Every stored daily series, a page of replications at a time, by scenario, replication, gate and day.</summary>
    internal static IEnumerable<SeriesRow> SeriesRows(IResultStore store, long batchId)
    {
        var batch = store.LoadBatch(batchId);
        for (var position = 0; position < batch.Spec.Scenarios.Count; position++)
        {
            var scenario = batch.Spec.Scenarios[position].Name;
            foreach (var (_, replication, gate, series) in ReplicationPages.DailyQueues(store, batchId, position, batch.PlannedReplications))
            {
                for (var day = 0; day < series.Length; day++)
                {
                    yield return new SeriesRow(batchId, scenario, replication, batch.Spec.Seed, gate, day, series[day]);
                }
            }
        }
    }

    internal static IEnumerable<TidyRow> TidyRows(IResultStore store, long batchId)
    {
        var batch = store.LoadBatch(batchId);
        for (var position = 0; position < batch.Spec.Scenarios.Count; position++)
        {
            var scenario = batch.Spec.Scenarios[position].Name;
            var kpis = store.KpiNames(batchId, position);
            foreach (var run in ReplicationPages.FinishedRuns(store, batchId, position, batch.PlannedReplications))
            {
                foreach (var name in kpis)
                {
                    var first = name.IndexOf('.', StringComparison.Ordinal);
                    var last = name.LastIndexOf('.');
                    var entity = last > first ? name[(first + 1)..last] : string.Empty;
                    // A KPI the run had no data for is a row with an empty value (null in JSONL and Parquet), never 0.
                    yield return new TidyRow(batchId, scenario, run.Replication, batch.Spec.Seed, name, name[..first], entity, name[(last + 1)..], run.Kpis.GetValueOrDefault(name, double.NaN));
                }
            }
        }
    }

    internal readonly record struct TidyRow(long Batch, string Scenario, int Replication, ulong Seed, string Kpi, string Group, string Entity, string Measure, double Value);

    /// <summary>A gate's mean queue (trucks at both posts) on one day of the statistics window (day 0 is the window's first).</summary>
    internal readonly record struct SeriesRow(long Batch, string Scenario, int Replication, ulong Seed, string Gate, int Day, float MeanQueue);
}
