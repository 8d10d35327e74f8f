using Microsoft.Data.Sqlite;
using TradeSim.Client.Commands;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// A result database another process holds locked for writing (issue 10, item 5): `batch` waits SQLite's busy
/// timeout (30 s), then says so in one line with exit 3 and has stored nothing; `compare` reads it meanwhile (WAL
/// lets readers through). The CLI is a real process; the lock is this one's.
/// </summary>
public sealed class LockedDatabaseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-locked-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void DatabaseLockedForWriting_BatchEndsInOneLineExit3_CompareStillReads()
    {
        var db = Path.Combine(_folder, "results.db");
        var made = Cli.Run("batch", "baseline", "--replications", "2", "--set", "settings.days=1", "--db", db);
        Assert.True(made.ExitCode == 0, made.Describe());

        using (var holder = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            var batch = Run("batch", "baseline", "--replications", "2", "--set", "settings.days=1", "--db", db);
            var compare = Run("compare", "1", "--db", db);

            Assert.True(batch.ExitCode == ExitCodes.Environment, batch.Describe());
            Assert.Equal("error: the result database is locked by another process: try again when it has finished", batch.Stderr.Trim());
            Assert.True(compare.ExitCode == ExitCodes.Success, compare.Describe());
            Assert.Contains("Batch 1 (complete)", compare.Stdout, StringComparison.Ordinal);
        }

        // Nothing was added while it was locked: batch 1 is still the only one.
        var after = Cli.Run("compare", "2", "--db", db);
        Assert.True(after.ExitCode == ExitCodes.BadInput, after.Describe());
        Assert.Contains("expected one of 1", after.Stderr, StringComparison.Ordinal);
    }

    private static ProcessResult Run(params string[] args) =>
        ProcessRunner.Run("dotnet", [typeof(TradeSimCli).Assembly.Location, .. args], TimeSpan.FromMinutes(2));
}
