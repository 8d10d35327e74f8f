namespace TradeSim.Client.Tests;

/// <summary>`tradesim batch --metrics`: a summary of this batch's runs on stderr, never on stdout.</summary>
public sealed class MetricsOptionTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    [Fact]
    public void Batch_WithMetrics_WritesASummaryOfItsOwnRunsToStderr()
    {
        var db = Path.Combine(temp.NewDirectory("metrics"), "results.db");

        var result = Cli.Run("batch", "baseline", "--replications", "2", "--set", "settings.days=5", "--metrics", "--db", db);

        Assert.True(result.ExitCode == 0, result.Describe());
        var last = result.StderrLines.LastOrDefault(l => l.StartsWith("metrics:", StringComparison.Ordinal));
        Assert.True(last is not null, result.Describe());
        Assert.Contains("2 runs completed (0 failed)", last, StringComparison.Ordinal);
        Assert.Contains("steps/s", last, StringComparison.Ordinal);
        Assert.DoesNotContain("metrics:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_WithoutMetrics_WritesNoSummary()
    {
        var db = Path.Combine(temp.NewDirectory("no-metrics"), "results.db");

        var result = Cli.Run("batch", "baseline", "--replications", "2", "--set", "settings.days=5", "--db", db);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain(result.StderrLines, l => l.StartsWith("metrics:", StringComparison.Ordinal));
    }
}
