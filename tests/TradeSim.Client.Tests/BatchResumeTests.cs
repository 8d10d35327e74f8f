using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace TradeSim.Client.Tests;

/// <summary>
/// The batch every resume test interrupts, and its `scenarios` JSON when run without interruption (computed once).
/// </summary>
public sealed class ResumeFixture : IDisposable
{
    /// <summary>Scenarios x replications of the batch.</summary>
    public const int TotalRuns = 60;

    private readonly Lazy<string> _uninterrupted;

    public ResumeFixture()
    {
        _uninterrupted = new(() =>
        {
            var db = Path.Combine(Temp.NewDirectory("uninterrupted"), "results.db");
            var result = Cli.Run([.. BatchArguments, "--workers", "2", "--db", db, "--json"]);
            Assert.True(result.ExitCode == 0, result.Describe());
            Assert.Equal("complete", BatchDb.Status(db, 1));
            return BatchJson.ScenariosText(result);
        });
    }

    /// <summary>`batch` with 2 scenarios x 30 replications of 120 days: enough work to stop in the middle (with 12 a fresh clone once finished before the test saw 3 runs done).</summary>
    public static IReadOnlyList<string> BatchArguments { get; } =
        ["batch", "baseline", "nam-giang-upgrade", "--replications", "30", "--set", "settings.days=120", "--set", "settings.warmup_days=7"];

    public TempDirectoryFixture Temp { get; } = new();

    public string UninterruptedScenarios => _uninterrupted.Value;

    public void Dispose() => Temp.Dispose();
}

/// <summary>
/// Interrupting a batch (a cancelled token in-process, SIGINT to a real process) keeps every finished run and marks
/// the batch interrupted; `batch --resume` finishes it with results equal to a batch that was never interrupted.
/// </summary>
public sealed partial class BatchResumeTests(ResumeFixture fixture) : IClassFixture<ResumeFixture>
{
    private const int MinimumDoneBeforeStop = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Batch_CancelledInProcess_KeepsFinishedRuns_AndResumeEqualsAnUninterruptedBatch()
    {
        var db = Path.Combine(fixture.Temp.NewDirectory("interrupted-in-process"), "results.db");
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(
            () => Cli.Run(stop.Token, [.. ResumeFixture.BatchArguments, "--workers", "1", "--db", db]),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await WaitForDoneRuns(db, () => run.IsCompleted ? "the batch ended before it could be interrupted: " + run.Result.Describe() : null);
        stop.Cancel();
        var interrupted = await run.WaitAsync(Timeout);

        var kept = AssertInterrupted(interrupted, db);

        // compare reports the replications finished in both scenarios, and says the batch is interrupted.
        var compare = Cli.Run("compare", "1", "--db", db, "--json");
        Assert.True(compare.ExitCode == 0, compare.Describe());
        using (var json = JsonDocument.Parse(compare.StdoutBytes))
        {
            Assert.Equal("interrupted", json.RootElement.GetProperty("status").GetString());
            var replications = json.RootElement.GetProperty("replications").GetInt32();
            Assert.InRange(replications, 1, 11);
            Assert.All(json.RootElement.GetProperty("scenarios").EnumerateArray(), s => Assert.Equal(replications, s.GetProperty("replications").GetInt32()));
        }

        // Resuming with another worker count changes nothing in the numbers.
        AssertResumedEqualsUninterrupted(db, kept, compareHashes: true, "--workers", "2");
    }

    [Fact]
    public async Task Batch_SigintToTheProcess_ExitsWith130_KeepsFinishedRuns_AndResumeEqualsAnUninterruptedBatch()
    {
        var dir = fixture.Temp.NewDirectory("interrupted-by-sigint");
        var db = Path.Combine(dir, "results.db");
        using var process = StartClient(dir, [.. ResumeFixture.BatchArguments, "--workers", "1", "--db", db]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        CliResult Finished() => new(process.ExitCode, stdout.Result, stderr.Result, []);

        try
        {
            await WaitForDoneRuns(db, () => process.HasExited ? "the process ended before it could be interrupted: " + Finished().Describe() : null);
            Assert.True(NativeMethods.kill(process.Id, NativeMethods.SIGINT) == 0, $"kill(SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
            using var wait = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"tradesim did not stop within {Timeout.TotalSeconds} s of SIGINT");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        await Task.WhenAll(stdout, stderr);
        var interrupted = Finished();
        Assert.DoesNotContain("Unhandled exception", interrupted.Stderr, StringComparison.Ordinal);
        var kept = AssertInterrupted(interrupted, db);

        // The client ran in another working directory, so its scenario hashes differ (see the test below).
        AssertResumedEqualsUninterrupted(db, kept, compareHashes: false);
    }

    [Fact]
    public async Task Batch_ScenarioHash_IsTheSameFromAnyWorkingDirectory()
    {
        var dir = fixture.Temp.NewDirectory("hash-working-directory");
        string[] args = ["batch", "baseline", "nam-giang-upgrade", "--replications", "1", "--set", "settings.days=5", "--set", "settings.warmup_days=1", "--json"];
        var inProcess = Cli.Run([.. args, "--db", Path.Combine(dir, "in-process.db")]);
        Assert.True(inProcess.ExitCode == 0, inProcess.Describe());

        using var process = StartClient(dir, [.. args, "--db", Path.Combine(dir, "process.db")]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var wait = new CancellationTokenSource(Timeout))
        {
            await process.WaitForExitAsync(wait.Token);
        }

        var other = new CliResult(process.ExitCode, string.Empty, await stderr, System.Text.Encoding.UTF8.GetBytes(await stdout));
        Assert.True(other.ExitCode == 0, other.Describe());
        Assert.Equal(WithoutHashes(BatchJson.ScenariosText(inProcess)), WithoutHashes(BatchJson.ScenariosText(other)));
        Assert.True(
            Hashes(inProcess).SequenceEqual(Hashes(other)),
            $"the same bundled scenarios hash differently when tradesim runs in {Directory.GetCurrentDirectory()} and in {dir}: "
            + $"{string.Join(", ", Hashes(inProcess))} vs {string.Join(", ", Hashes(other))} (layer names are paths relative to the working directory, and the hash includes them)");
    }

    private static List<string> Hashes(CliResult result)
    {
        using var json = JsonDocument.Parse(result.StdoutBytes);
        return [.. json.RootElement.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("hash").GetString()!)];
    }

    private static string WithoutHashes(string scenarios)
    {
        var array = JsonNode.Parse(scenarios)!.AsArray();
        foreach (var scenario in array)
        {
            Assert.True(scenario!.AsObject().Remove("hash"), "a scenario without a hash");
        }

        return array.ToJsonString();
    }

    /// <summary>Exit 130, a resume hint, the batch `interrupted` with some but not all runs done; returns the runs kept.</summary>
    private static long AssertInterrupted(CliResult result, string db)
    {
        Assert.True(result.ExitCode == 130, result.Describe());
        var match = Kept().Match(result.Stderr);
        Assert.True(match.Success, $"no `interrupted: batch 1 keeps N of {ResumeFixture.TotalRuns} runs` line\n{result.Describe()}");
        Assert.Contains($"finish it with `tradesim batch --resume 1 --db {db}`", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("complete", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);

        var kept = long.Parse(match.Groups["kept"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(ResumeFixture.TotalRuns.ToString(CultureInfo.InvariantCulture), match.Groups["total"].Value);
        Assert.Equal("interrupted", BatchDb.Status(db, 1));
        var (done, pending) = BatchDb.RunCounts(db, 1);
        Assert.Equal(kept, done);
        Assert.InRange(done, MinimumDoneBeforeStop, ResumeFixture.TotalRuns - 1);
        Assert.Equal(ResumeFixture.TotalRuns - done, pending);

        // Every run kept has its KPIs and daily queues; no pending run has any.
        Assert.Equal(done, BatchDb.Scalar(db, "SELECT count(*) FROM (SELECT DISTINCT position, replication FROM kpis WHERE batch_id = 1)"));
        Assert.Equal(done, BatchDb.Scalar(db, "SELECT count(*) FROM (SELECT DISTINCT position, replication FROM daily_queues WHERE batch_id = 1)"));
        Assert.Equal(0L, BatchDb.Scalar(db, "SELECT count(*) FROM kpis k JOIN runs r USING (batch_id, position, replication) WHERE r.status <> 'done'"));
        return kept;
    }

    /// <summary>
    /// Resumes batch 1 and compares its `scenarios` with the uninterrupted batch's; <paramref name="compareHashes"/>
    /// false leaves out the scenario hashes, which hold the scenario files' paths as the working directory shows them.
    /// </summary>
    private void AssertResumedEqualsUninterrupted(string db, long kept, bool compareHashes, params string[] extra)
    {
        var resumed = Cli.Run(["batch", "--resume", "1", "--db", db, "--json", .. extra]);

        Assert.True(resumed.ExitCode == 0, resumed.Describe());
        Assert.Contains($"batch 1: {kept}/{ResumeFixture.TotalRuns} runs done, running {ResumeFixture.TotalRuns - kept}", resumed.StderrLines);
        Assert.Contains(resumed.StderrLines, l => l.StartsWith("batch 1: complete", StringComparison.Ordinal));
        Assert.Equal("complete", BatchDb.Status(db, 1));
        Assert.Equal((ResumeFixture.TotalRuns, 0L), BatchDb.RunCounts(db, 1));
        using (var json = JsonDocument.Parse(resumed.StdoutBytes))
        {
            Assert.Equal("complete", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(30, json.RootElement.GetProperty("replications").GetInt32());
        }

        Assert.Equal(
            compareHashes ? fixture.UninterruptedScenarios : WithoutHashes(fixture.UninterruptedScenarios),
            compareHashes ? BatchJson.ScenariosText(resumed) : WithoutHashes(BatchJson.ScenariosText(resumed)));

        // Resuming a complete batch runs nothing more and reports the same numbers.
        var again = Cli.Run("batch", "--resume", "1", "--db", db, "--json");
        Assert.True(again.ExitCode == 0, again.Describe());
        Assert.DoesNotContain(again.StderrLines, l => l.Contains("running", StringComparison.Ordinal));
        Assert.Contains(again.StderrLines, l => l.StartsWith("batch 1: complete", StringComparison.Ordinal));
        Assert.Equal((ResumeFixture.TotalRuns, 0L), BatchDb.RunCounts(db, 1));
        Assert.Equal(BatchJson.ScenariosText(resumed), BatchJson.ScenariosText(again));
    }

    /// <summary>Polls the database (read-only) until the batch has at least <see cref="MinimumDoneBeforeStop"/> runs done.</summary>
    private static async Task WaitForDoneRuns(string db, Func<string?> ended)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (ended() is { } why)
            {
                Assert.Fail(why);
            }

            if (File.Exists(db))
            {
                try
                {
                    if (BatchDb.RunCounts(db, 1).Done >= MinimumDoneBeforeStop)
                    {
                        return;
                    }
                }
                catch (SqliteException)
                {
                    // The database is still being created (no tables yet) or is briefly locked: poll again.
                }
            }

            Assert.True(clock.Elapsed < Timeout, $"fewer than {MinimumDoneBeforeStop} runs were done after {Timeout.TotalSeconds} s");
            await Task.Delay(5);
        }
    }

    /// <summary>Starts the built client (`dotnet tradesim.dll ...`) in <paramref name="workingDirectory"/> with redirected output.</summary>
    private static Process StartClient(string workingDirectory, IReadOnlyList<string> args)
    {
        var client = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "tradesim.dll"),
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "client", "TradeSim.Client", "bin", "Release", "net10.0", "tradesim.dll")),
        }.FirstOrDefault(File.Exists);
        Assert.True(client is not null, $"no tradesim.dll next to the tests ({AppContext.BaseDirectory}) or in client/TradeSim.Client/bin/Release/net10.0");

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // A process started in the background of a shell without job control inherits SIGINT ignored, and .NET then
        // never sees it: restore the default disposition for the client (env execs it, keeping the process id).
        if (SigintIgnored())
        {
            start.FileName = "env";
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(dotnet);
        }
        else
        {
            start.FileName = dotnet;
        }

        start.ArgumentList.Add(client);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start);
        Assert.NotNull(process);
        process.StandardInput.Close();
        return process;
    }

    private static bool SigintIgnored()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << (NativeMethods.SIGINT - 1))) != 0;
    }

    [GeneratedRegex(@"interrupted: batch 1 keeps (?<kept>\d+) of (?<total>\d+) runs")]
    private static partial Regex Kept();

    private static class NativeMethods
    {
        public const int SIGINT = 2;

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int kill(int pid, int sig);
    }
}
