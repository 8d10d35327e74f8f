using System.Text.Json;
using Microsoft.Data.Sqlite;
using TradeSim.Client.Commands;

namespace TradeSim.Client.Tests;

/// <summary>
/// `tradesim compare --scenario BATCH:NAME ...` (issue 11, item 5): scenarios run in different batches compare as if
/// run in one, when the batches share engine version and seed; otherwise the command says why not and exits 2.
/// </summary>
public sealed class CrossBatchCompareTests : IDisposable
{
    private static readonly string[] Short = ["--replications", "3", "--set", "settings.days=40", "--set", "settings.warmup_days=5"];

    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-cross-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Compare_ScenariosOfTwoBatches_GivesThePairedNumbersOfOneBatchWithBoth()
    {
        var db = Path.Combine(_folder, "cross.db");
        BatchJson.Run("batch", ["baseline", .. Short, "--seed", "5", "--db", db, "--json"]);
        BatchJson.Run("batch", ["nam-giang-upgrade", .. Short, "--seed", "5", "--db", db, "--json"]);
        var together = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", .. Short, "--seed", "5", "--db", db, "--json"]);

        var across = Cli.Run("compare", "--scenario", "1:baseline", "--scenario", "2:nam-giang-upgrade", "--db", db, "--json");

        Assert.True(across.ExitCode == 0, across.Describe());
        using var acrossJson = JsonDocument.Parse(across.Json);
        using var togetherJson = JsonDocument.Parse(together.Json);
        Assert.Equal([1L, 2L], acrossJson.RootElement.GetProperty("batches").EnumerateArray().Select(b => b.GetInt64()));

        // The scenarios' statistics are those of the batch that ran both, number for number.
        Assert.Equal(
            togetherJson.RootElement.GetProperty("scenarios").GetRawText(),
            acrossJson.RootElement.GetProperty("scenarios").GetRawText());
        var text = Cli.Run("compare", "--scenario", "1:baseline", "--scenario", "2:nam-giang-upgrade", "--db", db);
        Assert.StartsWith("Scenarios of batches 1, 2 (complete): 2 scenarios x 3 replications", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("nam-giang-upgrade vs baseline (3 paired replications)", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_BatchesWithDifferentSeeds_AreRefused_NamingBothSeeds()
    {
        var db = Path.Combine(_folder, "seeds.db");
        BatchJson.Run("batch", ["baseline", .. Short, "--seed", "5", "--db", db, "--json"]);
        BatchJson.Run("batch", ["nam-giang-upgrade", .. Short, "--seed", "6", "--db", db, "--json"]);

        var result = Cli.Run("compare", "--scenario", "1:baseline", "--scenario", "2:nam-giang-upgrade", "--db", db);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("batches 1 and 2 have different seeds (5 and 6)", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Compare_BatchesOfDifferentEngines_AreRefused_NamingBothVersions()
    {
        var db = Path.Combine(_folder, "engines.db");
        BatchJson.Run("batch", ["baseline", .. Short, "--db", db, "--json"]);
        BatchJson.Run("batch", ["nam-giang-upgrade", .. Short, "--db", db, "--json"]);
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE batches SET engine_version = '0.0.9+older' WHERE id = 2";
            command.ExecuteNonQuery();
        }

        var result = Cli.Run("compare", "--scenario", "1:baseline", "--scenario", "2:nam-giang-upgrade", "--db", db);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("ran on different engine versions", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("0.0.9+older", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--scenario", "1:baseline", "--scenario", "1:no-such" }, "batch 1 has no scenario 'no-such': expected one of baseline")]
    [InlineData(new[] { "--scenario", "1:baseline", "--scenario", "9:baseline" }, "batch 9 is not in")]
    [InlineData(new[] { "--scenario", "1:baseline" }, "--scenario needs at least two scenarios")]
    [InlineData(new[] { "--scenario", "baseline" }, "--scenario must be BATCH:NAME")]
    [InlineData(new[] { "1", "--scenario", "1:baseline" }, "give batch ids or --scenario BATCH:NAME, not both")]
    [InlineData(new string[0], "compare needs batch ids, or --scenario BATCH:NAME at least twice")]
    public void Compare_BadScenarioReferences_SayWhatWasExpected(string[] args, string message)
    {
        var db = Path.Combine(_folder, "refs.db");
        BatchJson.Run("batch", ["baseline", .. Short, "--db", db, "--json"]);

        var result = Cli.Run(["compare", .. args, "--db", db]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }
}
