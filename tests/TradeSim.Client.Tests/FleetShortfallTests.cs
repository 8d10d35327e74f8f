using TradeSim.Client.Commands;
using TradeSim.Client.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>
/// `validate` warns when a fleet cannot carry its flows' demand even at free-flow times (issue 12, item 7): the
/// scenario is valid and runs, but its cargo piles up at the origin.
/// </summary>
public sealed class FleetShortfallTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-fleet-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Validate_AFleetTooSmallForItsDemand_IsAWarningNamingTheCarrier_NotAnError()
    {
        var starved = Path.Combine(_folder, "starved.yaml");
        File.WriteAllText(starved, $"extends: {Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml")}\nname: starved\ncarriers:\n  sekong-bauxite-haulers: {{ trucks: 3 }}\n");

        var result = Cli.Run("validate", starved);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"ok: {starved}", result.StdoutLines);
        var warning = Assert.Single(result.StderrLines);
        Assert.StartsWith($"warning: {starved}: carrier 'sekong-bauxite-haulers' has 3 trucks, but its flows (", warning, StringComparison.Ordinal);
        Assert.Contains("cargo will pile up at the origin", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AFleetThatMayHire_CountsItsHiredTrucks()
    {
        // Three trucks and three to hire are still too few for the bauxite; three and twenty-one are enough.
        var shortEvenHiring = Path.Combine(_folder, "short-even-hiring.yaml");
        var enoughHiring = Path.Combine(_folder, "enough-hiring.yaml");
        var baseline = Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml");
        File.WriteAllText(shortEvenHiring, $"extends: {baseline}\nname: short\ncarriers:\n  sekong-bauxite-haulers: {{ trucks: 3, hire: {{ max_trucks: 3, usd_per_day: 100, after_hours: 72 }} }}\n");
        File.WriteAllText(enoughHiring, $"extends: {baseline}\nname: enough\ncarriers:\n  sekong-bauxite-haulers: {{ trucks: 3, hire: {{ max_trucks: 21, usd_per_day: 100, after_hours: 72 }} }}\n");

        var result = Cli.Run("validate", shortEvenHiring, enoughHiring);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var warning = Assert.Single(result.StderrLines);
        Assert.StartsWith($"warning: {shortEvenHiring}: carrier 'sekong-bauxite-haulers' has 3 trucks, but its flows (", warning, StringComparison.Ordinal);
        Assert.Contains(", the 3 it may hire included): cargo will pile up at the origin", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TheBundledScenarios_HaveFleetsLargeEnough()
    {
        var result = Cli.Run(["validate", .. ScenarioFiles.BundledNames()]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain(result.StderrLines, l => l.StartsWith("warning:", StringComparison.Ordinal));
    }
}
