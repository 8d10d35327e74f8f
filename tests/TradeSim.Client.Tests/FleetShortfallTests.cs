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
    public void Validate_TheBundledScenarios_HaveFleetsLargeEnough()
    {
        var result = Cli.Run(["validate", .. ScenarioFiles.BundledNames()]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain(result.StderrLines, l => l.StartsWith("warning:", StringComparison.Ordinal));
    }
}
