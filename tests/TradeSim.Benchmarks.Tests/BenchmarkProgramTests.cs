using TradeSim.Tests.Shared;

namespace TradeSim.Benchmarks.Tests;

/// <summary>
/// The benchmark program fails when a benchmark fails, so CI's untimed dry run of every benchmark can fail: the canary
/// benchmark's setup check throws on request, and the program must then exit non-zero and say which benchmark failed.
/// </summary>
public sealed class BenchmarkProgramTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly string _artifacts = Directory.CreateTempSubdirectory("tradesim-bench-test-").FullName;

    /// <summary>The dotnet host that runs the tests (set by `dotnet test`), else the one on PATH.</summary>
    private static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string Program => Path.Combine(AppContext.BaseDirectory, "TradeSim.Benchmarks.dll");

    [Fact]
    public void Run_ABenchmarkWhoseSetupCheckThrows_ExitsNonZeroAndNamesIt()
    {
        var result = Run(fail: true);

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Contains("benchmarks: CanaryBenchmarks.Sum: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("failed (it threw or crashed; see its output above)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the canary failed its setup check", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_EveryBenchmarkPasses_ExitsZero()
    {
        var result = Run(fail: false);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain("benchmarks: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("executed benchmarks: 1", result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_artifacts, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>The canary alone, once, untimed and in-process (no generated project to build), as CI's dry run does.</summary>
    private ProcessResult Run(bool fail) => ProcessRunner.Run(
        Host,
        [Program, "--filter", "*Canary*", "--job", "Dry", "--inProcess", "--artifacts", _artifacts],
        Timeout,
        AppContext.BaseDirectory,
        new Dictionary<string, string?> { [CanaryBenchmarks.FailVariable] = fail ? "1" : null });
}
