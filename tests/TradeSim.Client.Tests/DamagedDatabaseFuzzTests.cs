using CsCheck;
using TradeSim.Client.Commands;

namespace TradeSim.Client.Tests;

/// <summary>
/// A standing fuzz test of damaged result databases (issue 10, item 8): a real database with bytes overwritten or cut
/// off, read by `compare` and `export`. Each ends in exit 0 (the damage missed what they read), 2 or 3, with error
/// lines only and no stack trace. Fixed seed, a few seconds.
/// </summary>
public sealed class DamagedDatabaseFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-damaged-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DamagedDatabase_CompareAndExport_EndInAnErrorLineOrSucceed()
    {
        var original = Path.Combine(_folder, "original.db");
        // One worker, so runs are stored in one order; then what varies between test runs (times, the folder in the
        // stored command line) is made constant and the file rewritten, so the same seed damages the same bytes.
        var made = Cli.Run("batch", "baseline", "nam-giang-upgrade", "--replications", "2", "--workers", "1", "--set", "settings.days=3", "--set", "settings.warmup_days=0", "--db", original);
        Assert.True(made.ExitCode == 0, made.Describe());
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={original};Pooling=False"))
        {
            connection.Open();
            using var normalise = connection.CreateCommand();
            normalise.CommandText =
                "UPDATE batches SET created_utc = '2026-01-01T00:00:00.0000000+00:00', options_json = replace(options_json, $folder, '/fuzz');" +
                "UPDATE runs SET finished_utc = '2026-01-01T00:00:00.0000000+00:00', wall_ms = 1, silo = 'fuzz', silo_address = '127.0.0.1:1@1' WHERE finished_utc IS NOT NULL;" +
                "VACUUM; PRAGMA journal_mode = DELETE;";
            normalise.Parameters.AddWithValue("$folder", _folder);
            normalise.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(original);
        Assert.False(File.Exists(original + "-wal"), "the database still has a WAL: the copies would miss its changes");

        var damage = Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte, Gen.Int[1, 64]).Array[1, 6];
        var cut = Gen.Int[0, 3];
        var path = Path.Combine(_folder, "damaged.db");
        var outcomes = new int[4];

        FixedCases.CheckEach(
            FixedCases.Draw(Gen.Select(damage, cut), 200),
            sample =>
            {
                var (writes, cutKind) = sample;
                var copy = (byte[])bytes.Clone();
                foreach (var (offset, value, length) in writes)
                {
                    copy.AsSpan(offset, Math.Min(length, copy.Length - offset)).Fill(value);
                }

                // One case in four also loses the file's tail, as a disk that filled up would.
                File.WriteAllBytes(path, cutKind == 0 ? copy[..(copy.Length / 2)] : copy);
                File.Delete(path + "-wal");
                File.Delete(path + "-shm");
                foreach (var result in new[] { Cli.Run("compare", "1", "--db", path), Cli.Run("export", "1", "--format", "csv", "--db", path, "--out", Path.Combine(_folder, "out.csv")) })
                {
                    Assert.True(result.ExitCode is ExitCodes.Success or ExitCodes.BadInput or ExitCodes.Environment, result.Describe());
                    Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
                    if (result.ExitCode != ExitCodes.Success)
                    {
                        Assert.All(result.StderrLines, l => Assert.StartsWith("error: ", l, StringComparison.Ordinal));
                    }

                    outcomes[Math.Min(result.ExitCode, 3)]++;
                }
            });

        Assert.True(outcomes[ExitCodes.BadInput] + outcomes[ExitCodes.Environment] > 0, "no damage was noticed: the fuzz does not reach the data");
    }
}
