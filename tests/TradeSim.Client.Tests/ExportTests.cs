using System.Globalization;
using Parquet;
using Parquet.Schema;
using TradeSim.Client.Commands;

namespace TradeSim.Client.Tests;

/// <summary>
/// `tradesim export` writes the per-run KPIs and the daily series as CSV, JSONL and Parquet (issue 11, item 5); the
/// Parquet file is read back with Parquet.Net's own reader, column by column, and holds exactly the CSV's rows.
/// </summary>
public sealed class ExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-export-").FullName;
    private readonly string _db;

    public ExportTests()
    {
        _db = Path.Combine(_folder, "r.db");
        var made = Cli.Run("batch", "baseline", "nam-giang-upgrade", "--replications", "3", "--set", "settings.days=4", "--set", "settings.warmup_days=0", "--db", _db);
        Assert.True(made.ExitCode == 0, made.Describe());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parquet_HoldsTheCsvRows_TypedColumnByColumn(bool series)
    {
        string[] kind = series ? ["--series"] : [];
        var csv = Cli.Run(["export", "1", "--db", _db, "--format", "csv", .. kind]);
        var parquetPath = Path.Combine(_folder, series ? "series.parquet" : "kpis.parquet");
        var parquet = Cli.Run(["export", "1", "--db", _db, "--format", "parquet", "--out", parquetPath, .. kind]);
        Assert.True(csv.ExitCode == 0, csv.Describe());
        Assert.True(parquet.ExitCode == 0, parquet.Describe());

        var csvLines = csv.Json.TrimEnd('\n').Split('\n');
        var header = csvLines[0].Split(',');
        var rows = await ReadAll(parquetPath);

        Assert.Equal(header, rows.Keys);
        Assert.Equal(csvLines.Length - 1, rows[header[0]].Length);
        Assert.True(rows[header[0]].Length > (series ? 2 * 3 * 4 : 2 * 3 * 20), $"only {rows[header[0]].Length} rows");
        for (var i = 1; i < csvLines.Length; i++)
        {
            var cells = csvLines[i].Split(',');
            Assert.Equal(cells, header.Select(h => Cell(rows[h][i - 1])));
        }

        if (series)
        {
            Assert.Equal(["batch", "scenario", "replication", "seed", "gate", "day", "mean_queue"], header);
        }
    }

    [Fact]
    public void Parquet_WithoutAFile_IsRefused()
    {
        var result = Cli.Run("export", "1", "--db", _db, "--format", "parquet");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("error: --format parquet writes a binary file: give it with --out FILE.parquet", Assert.Single(result.StderrLines));
    }

    private static async Task<Dictionary<string, object?[]>> ReadAll(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var columns = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var field in reader.Schema.GetDataFields())
        {
            var values = new List<object?>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                values.AddRange(await Column(group, field, (int)group.RowCount));
            }

            columns[field.Name] = [.. values];
        }

        return columns;
    }

    private static async Task<IEnumerable<object?>> Column(ParquetRowGroupReader group, DataField field, int rows)
    {
        if (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>))
        {
            var strings = new string?[rows];
            await group.ReadAsync(field, strings.AsMemory());
            return strings;
        }

        return field.ClrType switch
        {
            var t when t == typeof(long) => await Read<long>(group, field, rows),
            var t when t == typeof(int) => await Read<int>(group, field, rows),
            var t when t == typeof(ulong) => await Read<ulong>(group, field, rows),
            var t when t == typeof(double) && field.IsNullable => await ReadNullable<double>(group, field, rows),
            var t when t == typeof(double) => await Read<double>(group, field, rows),
            var t when t == typeof(float) => await Read<float>(group, field, rows),
            var t => throw new InvalidOperationException($"column {field.Name} of type {t}"),
        };
    }

    private static async Task<IEnumerable<object?>> Read<T>(ParquetRowGroupReader group, DataField field, int rows)
        where T : struct
    {
        var values = new T[rows];
        await group.ReadAsync(field, values.AsMemory());
        return values.Cast<object?>();
    }

    private static async Task<IEnumerable<object?>> ReadNullable<T>(ParquetRowGroupReader group, DataField field, int rows)
        where T : struct
    {
        var values = new T?[rows];
        await group.ReadAsync(field, values.AsMemory());
        return values.Select(v => (object?)v);
    }

    /// <summary>A value as the CSV writes it (invariant culture, round-trip numbers).</summary>
    private static string Cell(object? value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? string.Empty,
    };
}
