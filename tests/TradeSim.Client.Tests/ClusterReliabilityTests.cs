using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TradeSim.Tests.Shared;
using Xunit.Abstractions;

namespace TradeSim.Client.Tests;

/// <summary>
/// One PostgreSQL server for the reliability tests (each test gets a fresh database in it), and the `scenarios` JSON of
/// the standard batch run on the embedded silo, computed once, which every cluster run of that batch must reproduce
/// bit for bit.
/// </summary>
public sealed class ClusterReliabilityFixture : IDisposable
{
    private readonly Lazy<string> _embeddedScenarios;
    private int _databases;

    public ClusterReliabilityFixture()
    {
        Server = PostgresServer.Start();
        TempDirectory = Directory.CreateTempSubdirectory("tradesim-cluster-reliability-").FullName;
        _embeddedScenarios = new Lazy<string>(() =>
        {
            var db = Path.Combine(TempDirectory, "embedded.db");
            var result = Cli.Run([.. ClusterReliabilityTests.StandardBatch, "--db", db, "--json", "--workers", "2"]);
            Assert.True(result.ExitCode == 0, result.Describe());
            return ClusterReliabilityTests.ScenariosJson(result);
        });
    }

    public PostgresServer Server { get; }

    public string TempDirectory { get; }

    /// <summary>The standard batch's `scenarios` element from an embedded run (`--db`), computed on first use.</summary>
    public string EmbeddedScenarios => _embeddedScenarios.Value;

    /// <summary>A new, empty database on the shared server; returns its connection string.</summary>
    public string NewDatabase(string hint) =>
        Server.CreateDatabase($"{hint}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}");

    public void Dispose()
    {
        Server.Dispose();
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>
/// The cluster under faults, with real `tradesim-silo` processes (Orleans silos, ADO.NET clustering) on a throwaway
/// PostgreSQL: a silo SIGKILLed mid-batch (a worker, or the silo hosting the batch grain), a silo frozen (SIGSTOP) past
/// failure detection, PostgreSQL restarted mid-batch, the client killed mid-batch, a silo stopped with SIGTERM, two
/// silos asked for the same ports, and eight workers racing for 2,000 tiny runs. Every test asserts exact outcomes:
/// each run done once with one stored result, and (where the inputs are the standard batch) the client's `--json`
/// scenarios byte-identical to the embedded silo's.
/// </summary>
[Collection(ClusterSerialGroup.Name)]
public sealed class ClusterReliabilityTests(ClusterReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterReliabilityFixture>
{
    /// <summary>Scenarios x replications of the standard batch.</summary>
    public const int StandardScenarios = 2;
    public const int StandardReplications = 12;
    public const int StandardRuns = StandardScenarios * StandardReplications;

    /// <summary>
    /// The standard batch: baseline and the Nam Giang upgrade, 12 replications each. Each run simulates 3,000 days
    /// (~0.25 s on one core), so a batch lasts several seconds and every silo holds a run at any moment.
    /// </summary>
    public static readonly string[] StandardBatch =
    [
        "batch", Path.Combine(Scenarios.BundledDirectory, "baseline.yaml"), Path.Combine(Scenarios.BundledDirectory, "nam-giang-upgrade.yaml"),
        "--set", "settings.days=3000", "--set", "settings.warmup_days=3", "--replications", StandardReplications.ToString(CultureInfo.InvariantCulture), "--seed", "7",
    ];

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Which silo of three is SIGKILLed halfway through the standard batch.</summary>
    public enum Victim
    {
        /// <summary>A silo that executes runs but does not host the batch grain: the batch grain re-dispatches its runs.</summary>
        Worker,

        /// <summary>The silo hosting the batch grain (and executing runs): the grain is rebuilt elsewhere from the store.</summary>
        BatchHost,
    }

    /// <summary>
    /// Three silos with one worker each; one is SIGKILLed when half the runs are done. Orleans' membership declares it
    /// dead, its runs are dispatched again (attempt 2) to the others, and the batch completes with exactly one stored
    /// result per run, equal to the embedded silo's. Prints the time from the kill to its runs completing elsewhere.
    /// </summary>
    [Theory]
    [InlineData(Victim.Worker)]
    [InlineData(Victim.BatchHost)]
    public void SiloKilledMidBatch_ItsRunsCompleteElsewhere_AndEveryRunHasExactlyOneResult(Victim which)
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase($"killed_{which.ToString().ToLowerInvariant()}"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1), cluster.Start("silo-b", 1), cluster.Start("silo-c", 1)];
        cluster.WaitForActive(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "half the runs to be done", () => cluster.DoneRuns() >= StandardRuns / 2 || client.IsCompleted);
        Assert.False(client.IsCompleted, $"the batch finished before a silo could be killed\n{cluster.Describe()}");

        var host = BatchHost(silos);
        var victim = which == Victim.BatchHost ? host : silos.First(s => s != host);
        var address = cluster.Address(victim);
        var doneAtKill = cluster.DoneRuns();
        victim.Signal(UnixSignal.Kill);
        var killedAt = DateTime.UtcNow;
        Assert.True(victim.WaitForExit(TimeSpan.FromSeconds(10)), "SIGKILL did not end the silo");

        cluster.WaitUntil(TimeSpan.FromSeconds(30), $"{victim.Name} to be declared dead", () => cluster.Status(victim) == ClusterHarness.Dead);
        var declaredDead = DateTime.UtcNow - killedAt;
        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");

        // The runs the dead silo was executing were dispatched again: attempt 2, finished by another silo.
        var redone = cluster.Rows("SELECT position, replication, finished_at, silo_address FROM runs WHERE attempts >= 2 ORDER BY finished_at");
        Assert.True(redone.Count >= 1, $"{victim.Name} was killed halfway with one worker: it was executing a run, which should have been dispatched again\n{cluster.Describe()}");
        Assert.All(redone, r => Assert.False(((string)r[3]!).Equals(address, StringComparison.Ordinal), $"run {r[0]}/{r[1]} was finished by the killed silo"));
        var completedElsewhere = (DateTime)redone[^1][2]! - killedAt;
        output.WriteLine(FormattableString.Invariant(
            $"MEASURED {which}: killed {victim.Name} ({address}) with {doneAtKill} of {StandardRuns} runs done; declared dead after {declaredDead.TotalSeconds:F1} s (seen by polling every 50 ms); its {redone.Count} run(s) completed elsewhere {completedElsewhere.TotalSeconds:F2} s after the kill (a run takes ~0.3 s)"));
        Assert.True(completedElsewhere > TimeSpan.Zero, $"a run was finished again before the kill? {completedElsewhere}");

        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// A silo frozen with SIGSTOP (its connections stay open, so only missed probes reveal it) past failure detection:
    /// Orleans declares it dead, its runs go to the other silos, and resumed with SIGCONT it learns it was declared dead
    /// and leaves (the process ends). The batch completes with one result per run and the embedded silo's numbers.
    /// </summary>
    [Fact]
    public void SiloFrozenPastFailureDetection_IsDeclaredDead_LeavesWhenResumed_AndTheBatchCompletesExactly()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("frozen_silo"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1), cluster.Start("silo-b", 1), cluster.Start("silo-c", 1)];
        cluster.WaitForActive(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs to be done", () => cluster.DoneRuns() >= 4 || client.IsCompleted);
        Assert.False(client.IsCompleted, $"the batch finished before a silo could be frozen\n{cluster.Describe()}");

        var host = BatchHost(silos);
        var victim = silos.First(s => s != host);
        var address = cluster.Address(victim);
        victim.Signal(UnixSignal.Stop);
        var frozenAt = Stopwatch.StartNew();
        cluster.WaitUntil(TimeSpan.FromSeconds(60), $"the frozen {victim.Name} to be declared dead", () => cluster.Status(victim) == ClusterHarness.Dead);
        var declaredDead = frozenAt.Elapsed;

        victim.Signal(UnixSignal.Continue);
        var resumedAt = Stopwatch.StartNew();
        Assert.True(victim.WaitForExit(TimeSpan.FromSeconds(60)), $"{victim.Name}, declared dead, should leave once resumed\n{cluster.Logs()}");
        var left = resumedAt.Elapsed;
        output.WriteLine(FormattableString.Invariant(
            $"MEASURED froze {victim.Name} ({address}): declared dead after {declaredDead.TotalSeconds:F1} s; resumed, it left {left.TotalSeconds:F1} s later with exit code {victim.ExitCode}"));
        // It left on an error (declared dead), not because it was asked to: a supervisor must see a failure and restart
        // it. Exit 1 with one log line saying why, not Orleans' fail-fast (a crash report and SIGABRT, exit 134).
        Assert.True(victim.ExitCode == 1, $"{victim.Name} left with exit code {victim.ExitCode}, expected 1\n{cluster.Logs()}");
        var victimLog = File.ReadAllText(victim.LogPath);
        Assert.Contains("silo stopped by Orleans: ", victimLog, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", victimLog, StringComparison.Ordinal);

        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");
        // The run the frozen silo held is dispatched again once it is declared dead, unless the silo, resumed, finished
        // it first (it may: it runs for a moment before it learns it is dead). Either way it is stored once.
        output.WriteLine($"runs dispatched more than once: {cluster.Count("SELECT count(*) FROM runs WHERE attempts >= 2")}");
        Assert.All(silos.Where(s => s != victim), s => Assert.False(s.HasExited, $"{s.Name} should carry on\n{cluster.Logs()}"));
        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// PostgreSQL stopped for 3 s and started again mid-batch: the silos' stores and the client retry with backoff,
    /// Orleans rides out the outage of its membership table, and the batch completes exactly.
    /// </summary>
    [Fact]
    public void PostgresRestartedMidBatch_TheBatchCompletesExactly()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("restarted_db"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1), cluster.Start("silo-b", 1)];
        cluster.WaitForActive(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs to be done", () => cluster.DoneRuns() >= 3 || client.IsCompleted);
        var doneBefore = cluster.DoneRuns();
        Assert.False(client.IsCompleted, $"the batch finished before the restart\n{cluster.Describe()}");

        var watch = Stopwatch.StartNew();
        fixture.Server.Restart(TimeSpan.FromSeconds(3));
        output.WriteLine(FormattableString.Invariant($"PostgreSQL restarted with {doneBefore} of {StandardRuns} runs done; down for {watch.Elapsed.TotalSeconds:F3} s (stop, 3 s, start)"));

        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");
        output.WriteLine(FormattableString.Invariant($"batch complete {watch.Elapsed.TotalSeconds:F3} s after the restart began"));
        foreach (var silo in silos)
        {
            Assert.False(silo.HasExited, $"{silo.Name} should ride out the restart\n{cluster.Logs()}");
        }

        var retries = silos.Sum(s => s.Log.Split('\n').Count(l => l.Contains("cluster database unreachable", StringComparison.Ordinal)));
        output.WriteLine($"store retries logged by the silos while PostgreSQL was down: {retries}");
        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// The client process is SIGKILLed while it follows a batch: the batch goes on in the cluster (runs keep finishing
    /// with no client), and a client started again with `--resume ID` follows it to the end. Nothing is lost or
    /// duplicated, and the numbers are the embedded silo's.
    /// </summary>
    [Fact]
    public void ClientKilledMidBatch_TheBatchGoesOn_AndResumeFollowsItToTheEnd()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("killed_client"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1), cluster.Start("silo-b", 1)];
        cluster.WaitForActive(JoinTimeout, silos);
        var log = Path.Combine(cluster.LogDirectory, "client.log");
        using var clientProcess = StartClientProcess([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"], log);
        cluster.WaitUntil(BatchTimeout, "a third of the runs to be done", () => cluster.DoneRuns() >= StandardRuns / 3 || clientProcess.HasExited);
        Assert.False(clientProcess.HasExited, $"the client ended before it could be killed: {File.ReadAllText(log)}");
        ProcessRunner.Signal(clientProcess.Id, UnixSignal.Kill);
        Assert.True(clientProcess.WaitForExit(TimeSpan.FromSeconds(10)), "SIGKILL did not end the client");
        var doneAtKill = cluster.DoneRuns();

        // With no client at all, the cluster goes on.
        cluster.WaitUntil(BatchTimeout, "runs to keep finishing after the client died", () => cluster.DoneRuns() >= doneAtKill + 3);
        var batch = cluster.Scalar<long>("SELECT id FROM batches").ToString(CultureInfo.InvariantCulture);
        using var resumed = new BackgroundCli(["batch", "--resume", batch, "--cluster", cluster.ConnectionString, "--json"]);
        var result = resumed.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");
        output.WriteLine($"client killed with {doneAtKill} of {StandardRuns} runs done; the resumed client found {result.Stderr.Split('\n').FirstOrDefault(l => l.Contains("runs done", StringComparison.Ordinal))}");
        AssertExactResults(cluster, StandardRuns);
        AssertOneAttemptEach(cluster);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// SIGTERM to a silo mid-batch: it gives its run back to the batch (not counted as a failed attempt), leaves the
    /// cluster gracefully (membership Dead at once, exit code 0), and the other silo takes the run at once. Every run
    /// ends with exactly one attempt and one result.
    /// </summary>
    [Fact]
    public void SiloTerminated_LeavesGracefully_AndItsRunMovesAtOnce()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("terminated_silo"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1), cluster.Start("silo-b", 1)];
        cluster.WaitForActive(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs done", () => cluster.DoneRuns() >= 4 || client.IsCompleted);
        Assert.False(client.IsCompleted, $"the batch finished before the silo could be stopped\n{cluster.Describe()}");

        var host = BatchHost(silos);
        var leaving = silos.First(s => s != host);
        var watch = Stopwatch.StartNew();
        leaving.Signal(UnixSignal.Terminate);
        cluster.WaitUntil(TimeSpan.FromSeconds(30), $"{leaving.Name} to be dead in the membership table", () => cluster.Status(leaving) == ClusterHarness.Dead);
        var dead = watch.Elapsed;
        Assert.True(leaving.WaitForExit(TimeSpan.FromSeconds(30)), $"the silo did not exit within 30 s of SIGTERM\n{cluster.Logs()}");
        var exited = watch.Elapsed;
        output.WriteLine(FormattableString.Invariant($"MEASURED {leaving.Name} after SIGTERM: membership Dead after {dead.TotalSeconds:F2} s, exited after {exited.TotalSeconds:F2} s with code {leaving.ExitCode}"));
        Assert.True(leaving.ExitCode == 0, $"exit code {leaving.ExitCode}\n{cluster.Logs()}");
        // One worker, and one run queued ahead of it.
        Assert.Matches("gave back [12] runs in progress or queued", leaving.Log);
        Assert.True(exited < TimeSpan.FromSeconds(10), $"the silo took {exited.TotalSeconds:F1} s to leave after SIGTERM\n{cluster.Logs()}");

        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");

        // Given back, not lost: no run used a second attempt (a lost run would have), and the rest ran on the other silo.
        AssertOneAttemptEach(cluster);
        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// A second silo asked for the ports a running silo holds fails at once with a message that names the port and the
    /// option to change (Orleans would otherwise share the ports silently and the two silos would fight), and the
    /// running silo is untouched.
    /// </summary>
    [Fact]
    public void SecondSiloOnTheSamePorts_FailsWithAClearMessage_AndTheFirstCarriesOn()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("same_ports"));
        var first = cluster.Start("silo-a", 1);
        cluster.WaitForActive(JoinTimeout, first);

        var second = cluster.Start("silo-b", 1, siloPort: first.SiloPort, gatewayPort: FreePorts.Next());
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)), $"the second silo should refuse the port\n{cluster.Logs()}");
        Assert.Equal(2, second.ExitCode);
        var error = Assert.Single(second.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(FormattableString.Invariant($"error: silo port {first.SiloPort} on 127.0.0.1 is already in use (another silo, or another program): choose another with --silo-port"), error);

        var third = cluster.Start("silo-c", 1, siloPort: FreePorts.Next(), gatewayPort: first.GatewayPort);
        Assert.True(third.WaitForExit(TimeSpan.FromSeconds(60)), $"the third silo should refuse the gateway port\n{cluster.Logs()}");
        Assert.Equal(2, third.ExitCode);
        Assert.Contains(FormattableString.Invariant($"gateway port {first.GatewayPort} on 127.0.0.1 is already in use"), third.Log, StringComparison.Ordinal);

        Assert.False(first.HasExited, cluster.Logs());
        Assert.Equal(ClusterHarness.Active, cluster.Status(first));
        Assert.Equal(1, cluster.Count("SELECT count(*) FROM orleansmembershiptable"));
        var batch = Cli.Run(["batch", "baseline", "--replications", "2", "--set", "settings.days=5", "--set", "settings.warmup_days=1", "--cluster", cluster.ConnectionString]);
        Assert.True(batch.ExitCode == 0, $"{batch.Describe()}\n{cluster.Describe()}");
    }

    /// <summary>
    /// Eight workers (two silos x 4) race for 2,000 one-day runs: every run is dispatched once, executed once and stored
    /// once; both silos take part. TRADESIM_TEST_CLUSTER_RUNS sets another count.
    /// </summary>
    [Fact]
    public void EightWorkersRacingForManyRuns_EveryRunIsDispatchedAndStoredOnce()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("TRADESIM_TEST_CLUSTER_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 ? n / 2 * 2 : 2000;
        var replications = runs / 2;
        using var cluster = new ClusterHarness(fixture.NewDatabase("many_runs"));
        SiloProcess[] silos = [cluster.Start("silo-a", 4), cluster.Start("silo-b", 4)];
        cluster.WaitForActive(JoinTimeout, silos);
        var watch = Stopwatch.StartNew();
        using var client = new BackgroundCli(
        [
            "batch", Path.Combine(Scenarios.BundledDirectory, "baseline.yaml"), Path.Combine(Scenarios.BundledDirectory, "nam-giang-upgrade.yaml"),
            "--set", "settings.days=1", "--set", "settings.warmup_days=0", "--replications", replications.ToString(CultureInfo.InvariantCulture),
            "--cluster", cluster.ConnectionString, "--json",
        ]);
        var result = client.Wait(cluster, TimeSpan.FromSeconds(Math.Max(BatchTimeout.TotalSeconds, runs / 4.0)));
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");
        var elapsed = watch.Elapsed;
        var perSilo = cluster.Table("SELECT silo, count(*) FROM runs GROUP BY silo ORDER BY silo");
        output.WriteLine(FormattableString.Invariant($"MEASURED {runs} one-day runs on 2 silos x 4 workers: {elapsed.TotalSeconds:F1} s ({runs / elapsed.TotalSeconds:F1} runs/s); per silo (name | runs):\n{perSilo}"));

        AssertExactResults(cluster, runs);
        AssertOneAttemptEach(cluster);
        Assert.True(cluster.Count("SELECT count(DISTINCT silo) FROM runs") == 2, $"both silos should have run runs:\n{perSilo}");
    }

    /// <summary>The `scenarios` element of a `--json` comparison, as raw text.</summary>
    public static string ScenariosJson(CliResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var document = JsonDocument.Parse(result.StdoutBytes);
        return document.RootElement.GetProperty("scenarios").GetRawText();
    }

    /// <summary>The silo that logged activating the batch grain last (where it lives now).</summary>
    private static SiloProcess BatchHost(SiloProcess[] silos)
    {
        var hosts = silos.Where(s => s.Log.Contains("BatchGrain: batch 1 activated", StringComparison.Ordinal)).ToList();
        Assert.True(hosts.Count == 1, $"expected one silo to host batch 1's grain, found {hosts.Count}: {string.Join(", ", hosts.Select(h => h.Name))}");
        return hosts[0];
    }

    /// <summary>
    /// Every run done exactly once: <paramref name="runs"/> runs, all 'done', none failed; one results row each (the
    /// run key is its primary key); every result attributed to the silo that wrote it; no silo saw a duplicate
    /// execution write different bytes.
    /// </summary>
    private static void AssertExactResults(ClusterHarness cluster, int runs)
    {
        var context = cluster.Describe();
        Assert.True(cluster.Count("SELECT count(*) FROM runs") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM runs WHERE state = 'done'") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM results") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM runs r LEFT JOIN results s USING (batch_id, position, replication) WHERE s.batch_id IS NULL") == 0, $"runs without a result\n{context}");
        Assert.True(cluster.Count("SELECT count(*) FROM runs WHERE silo IS NULL OR silo_address IS NULL") == 0, $"results without their silo\n{context}");
        Assert.True(cluster.Count("SELECT count(*) FROM results WHERE length(digest) <> 32") == 0, $"results without a digest\n{context}");
        foreach (var silo in cluster.Silos)
        {
            Assert.DoesNotContain("a different result was stored already", silo.Log, StringComparison.Ordinal);
        }
    }

    /// <summary>Every run was dispatched once: none was lost and dispatched again, none executed twice.</summary>
    private static void AssertOneAttemptEach(ClusterHarness cluster)
    {
        var again = cluster.Table("SELECT position, replication, attempts, silo, last_error FROM runs WHERE attempts <> 1 ORDER BY replication, position");
        Assert.True(again.Length == 0, $"runs with more (or fewer) than one attempt:\n{again}\n{cluster.Describe()}");
    }

    private static Process StartClientProcess(string[] args, string logPath)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >\"$TRADESIM_TEST_CLIENT_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(SiloProcess.Host);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tradesim.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TRADESIM_TEST_CLIENT_LOG"] = logPath;
        start.Environment.Remove("TRADESIM_CLUSTER");
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the client");
        process.StandardInput.Close();
        return process;
    }
}

/// <summary>
/// The tests that start silo processes (and set TRADESIM_CLUSTER, a process-wide variable): run one class at a time,
/// never beside another test class, so no other test sees the variable and the silos' timing is not starved of the
/// 2 cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterSerialGroup
{
    public const string Name = "Cluster: silo processes and TRADESIM_CLUSTER";
}
