using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// `tradesim` on the PATH after one command (issue 11, item 6): scripts/install-tool.sh packs the client as a .NET tool
/// and installs it; the installed command finds its bundled scenarios and runs a batch on its embedded silo.
/// </summary>
public sealed class InstallToolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-tool-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void InstallScript_PutsAWorkingTradesimInTheToolPath()
    {
        var tools = Path.Combine(_folder, "tools");
        var script = Path.Combine(Repository.Root, "scripts", "install-tool.sh");

        var install = ProcessRunner.Run("bash", [script, "--tool-path", tools], TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.Describe());

        var tradesim = Path.Combine(tools, "tradesim");
        var scenarios = ProcessRunner.Run(tradesim, ["scenarios"], TimeSpan.FromMinutes(1), workingDirectory: _folder);
        var batch = ProcessRunner.Run(tradesim, ["batch", "baseline", "--replications", "2", "--set", "settings.days=2", "--db", "t.db"], TimeSpan.FromMinutes(2), workingDirectory: _folder);

        Assert.True(scenarios.ExitCode == 0, scenarios.Describe());
        Assert.Contains("nam-giang-upgrade (extends baseline)", scenarios.Stdout, StringComparison.Ordinal);
        Assert.True(batch.ExitCode == 0, batch.Describe());
        Assert.StartsWith("Batch 1 (complete): 1 scenario x 2 replications", batch.Stdout, StringComparison.Ordinal);
    }
}
