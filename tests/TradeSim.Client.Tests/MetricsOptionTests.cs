using System.Globalization;

namespace TradeSim.Client.Tests;

/// <summary>
/// `tradesim batch --metrics`: TradeSim's and Orleans' meters through the OpenTelemetry console exporter, on stderr,
/// never on stdout.
/// </summary>
public sealed class MetricsOptionTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    [Fact]
    public void Batch_WithMetrics_ExportsTradeSimAndOrleansMetersToStderr()
    {
        var folder = temp.NewDirectory("metrics");
        var db = Path.Combine(folder, "results.db");

        // Meters are process-wide and other tests run batches at the same time: a scenario name of its own tells this
        // batch's data points apart (every TradeSim run instrument is tagged with the scenario).
        var name = $"metrics-{Guid.NewGuid():N}";
        var scenario = Path.Combine(folder, "metrics.yaml");
        File.WriteAllText(scenario, $"extends: {Scenarios.BaselinePath}\nname: {name}\n");

        var result = Cli.Run("batch", scenario, "--replications", "3", "--set", "settings.days=5", "--metrics", "--db", db);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(3, LastValue(result.Stderr, "tradesim.runs.completed", name));
        Assert.Equal(3, LastValue(result.Stderr, "tradesim.runs.started", name));
        Assert.Contains("Metric Name: tradesim.steps,", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Metric Name: tradesim.runs.dispatched,", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("\tName: Microsoft.Orleans", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Metric Name", result.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("Batch 1 (complete)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_WithoutMetrics_ExportsNothing()
    {
        var db = Path.Combine(temp.NewDirectory("no-metrics"), "results.db");

        var result = Cli.Run("batch", "baseline", "--replications", "2", "--set", "settings.days=5", "--db", db);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain("Metric Name", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The value of the last data point of a counter, for the given scenario tag, in the console exporter's output.</summary>
    private static long LastValue(string output, string metric, string scenario)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        long? value = null;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith($"Metric Name: {metric},", StringComparison.Ordinal))
            {
                continue;
            }

            for (var j = i + 1; j < lines.Count && !lines[j].StartsWith("Metric Name:", StringComparison.Ordinal); j++)
            {
                if (lines[j].Contains($"scenario: {scenario}", StringComparison.Ordinal) && j + 1 < lines.Count && lines[j + 1].StartsWith("Value: ", StringComparison.Ordinal))
                {
                    value = long.Parse(lines[j + 1]["Value: ".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }

        Assert.True(value is not null, $"no data point of {metric} for scenario {scenario} in:\n{output}");
        return value!.Value;
    }
}
