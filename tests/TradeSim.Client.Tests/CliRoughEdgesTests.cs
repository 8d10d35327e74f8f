using TradeSim.Client.Commands;

namespace TradeSim.Client.Tests;

/// <summary>The CLI's rough edges found in the analyst's trial (issue 11, item 6), each as the user met it.</summary>
public sealed class CliRoughEdgesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-edges-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void UnknownCommand_SaysOnlyThatItIsUnknown()
    {
        var result = Cli.Run("frobnicate");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(["error: Unrecognized command or argument 'frobnicate'.", "Run 'tradesim --help' for usage."], result.StderrLines);
    }

    [Theory]
    [InlineData("compare")]
    [InlineData("export")]
    public void ReadingCommands_DoNotPromiseToCreateTheDatabase(string command)
    {
        var help = Cli.Run(command, "--help");

        Assert.Contains("SQLite result database to read", help.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("created when missing", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void OneReplication_SaysIntervalsAreUndefined_AndCountsInTheSingular()
    {
        var db = Path.Combine(_folder, "one.db");

        var result = Cli.Run("batch", "baseline", "nam-giang-upgrade", "--replications", "1", "--set", "settings.days=3", "--set", "settings.warmup_days=0", "--db", db);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("2 scenarios x 1 replication,", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("With 1 replication, no interval can be computed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("(1 paired replication)", result.Stdout, StringComparison.Ordinal);
        // The baseline's level and the scenario's change: neither shows a zero-width interval.
        var rows = result.Stdout.Split('\n').Where(l => l.Contains("gate.nam-giang.trucks ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Contains(" undefined", row, StringComparison.Ordinal));
    }

    [Fact]
    public void Calibrate_ASmallTolerance_IsPrintedWithItsDigits()
    {
        var result = Cli.Run("calibrate", "--replications", "2", "--tolerance", "0.001");

        Assert.Contains("2 replications (seed 1), tolerance 0.1 %", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ATabInTheIndentation_IsLocatedAtTheTab()
    {
        var path = Path.Combine(_folder, "tab.yaml");
        File.WriteAllText(path, "name: x\nsettings:\n\tdays: 3\n");

        var result = Cli.Run("validate", path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"error: {path}:3:1: YAML syntax error: a tab in the indentation: expected spaces (YAML indents with spaces only)", Assert.Single(result.StderrLines));
    }
}
