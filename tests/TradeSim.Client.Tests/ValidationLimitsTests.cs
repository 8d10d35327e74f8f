using TradeSim.Client.Commands;
using TradeSim.Client.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>
/// Validation is complete (issue 10, item 2): a setting `validate` accepts runs to the end; dates outside the calendar
/// a run can span, and fleets too large together, are refused with a located message.
/// </summary>
public sealed class ValidationLimitsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-limits-").FullName;

    public ValidationLimitsTests() =>
        File.Copy(Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml"), Path.Combine(_folder, "baseline.yaml"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData("0001-01-01")]
    [InlineData("1899-12-31")]
    [InlineData("2200-01-01")]
    public void StartOutsideTheCalendar_IsRefused(string start)
    {
        var scenario = Write("start.yaml", $"extends: baseline.yaml\nsettings:\n  start: {start}\n");

        var result = Cli.Run("validate", scenario);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
        Assert.Equal($"error: {scenario}:3:10: settings start: {start} is out of range: expected a date from 1900-01-01 to 2199-12-31", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void TheLatestStartWithTheLongestRun_ValidatesAndRunsToTheEnd()
    {
        // 100 years from the last allowed start: every simulated day is a date.
        var scenario = Write("late.yaml", "extends: baseline.yaml\nsettings:\n  start: 2199-12-31\n  days: 36600\n  warmup_days: 0\n  step_minutes: 60\n");

        var validated = Cli.Run("validate", scenario);
        var run = Cli.Run("run", scenario, "--json");

        Assert.True(validated.ExitCode == 0, validated.Describe());
        Assert.True(run.ExitCode == 0, run.Describe());
        using var json = System.Text.Json.JsonDocument.Parse(run.Json);
        Assert.Equal("2199-12-31", json.RootElement.GetProperty("start").GetString());
        Assert.Equal(36600, json.RootElement.GetProperty("days").GetInt32());
        Assert.True(json.RootElement.GetProperty("gates")[0].GetProperty("trucks").GetInt64() > 1_000_000, "a century of traffic crossed the first gate");
    }

    [Fact]
    public void FleetsTooLargeTogether_AreRefused_ThoughEachIsAllowed()
    {
        var scenario = Write("fleets.yaml", "extends: baseline.yaml\ncarriers:\n  sekong-bauxite-haulers:\n    trucks: 6000000\n  sekong-starch-haulers:\n    trucks: 6000000\n");

        var result = Cli.Run("validate", scenario);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
        Assert.Contains(result.StderrLines, l => l.StartsWith($"error: {scenario}:", StringComparison.Ordinal) && l.EndsWith(" trucks in all: expected at most 10,000,000 across every fleet", StringComparison.Ordinal));
    }

    [Fact]
    public void DemandTooLargeTogether_IsRefused_ThoughEachFlowIsAllowed()
    {
        // 101 flows at the most a flow may carry (10^10 t a year) pass the network's 10^12.
        var world = Path.Combine(_folder, "world.yaml");
        var generated = Cli.Run("generate", "--gates", "2", "--provinces", "101", "--trucks", "1010", "--out", world);
        Assert.True(generated.ExitCode == 0, generated.Describe());
        var flows = string.Concat(Enumerable.Range(0, 101).Select(p => $"  flow-{p}:\n    tonnes_per_year: 1e10\n"));
        var scenario = Write("demand.yaml", $"extends: world.yaml\nflows:\n{flows}");

        var result = Cli.Run("validate", scenario);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
        Assert.Contains(result.StderrLines, l => l.StartsWith($"error: {scenario}:", StringComparison.Ordinal) && l.EndsWith(": flows: 1.01E+12 t a year in all: expected at most 1E+12 across every flow", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLargestDemandForACentury_ValidatesAndRunsToTheEnd_EveryKilogramAccounted()
    {
        // Two flows of one origin at the most a flow may carry, their days as variable as allowed, for 100 years:
        // the kilogram counters must not overflow and the waiting cargo must not grow with it.
        var scenario = Write(
            "century.yaml",
            "extends: baseline.yaml\nsettings:\n  days: 36600\n  warmup_days: 0\n  step_minutes: 60\nflows:\n  bauxite-transit:\n    tonnes_per_year: 1e10\n    daily_cv: 10\n  cassava-starch-transit:\n    tonnes_per_year: 1e10\n    daily_cv: 10\n");

        var validated = Cli.Run("validate", scenario);
        var run = Cli.Run("run", scenario, "--json");

        Assert.True(validated.ExitCode == 0, validated.Describe());
        Assert.True(run.ExitCode == 0, run.Describe());
        using var json = System.Text.Json.JsonDocument.Parse(run.Json);
        var conservation = json.RootElement.GetProperty("conservation");
        Assert.True(conservation.GetProperty("balanced").GetBoolean(), conservation.ToString());
        Assert.True(conservation.GetProperty("produced_t").GetDouble() > 1e11, conservation.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
