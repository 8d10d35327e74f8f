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
/// The cluster under faults, with real `tradesim-silo` processes on a throwaway PostgreSQL: a silo SIGKILLed mid-batch,
/// a silo frozen (SIGSTOP) past its lease that comes back with a stale result, PostgreSQL restarted mid-batch, eight
/// workers racing for hundreds of tiny runs, and a silo stopped with SIGTERM. Every test asserts exact outcomes: each run
/// done once, one results row per run written by the lease holder of the run's final attempt, and (where the inputs are
/// the standard batch) the client's `--json` scenarios byte-identical to the embedded silo's.
/// </summary>
public sealed class ClusterReliabilityTests(ClusterReliabilityFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterReliabilityFixture>
{
    /// <summary>Scenarios x replications of the standard batch.</summary>
    public const int StandardScenarios = 2;
    public const int StandardReplications = 12;
    public const int StandardRuns = StandardScenarios * StandardReplications;

    /// <summary>
    /// The standard batch: baseline and the Nam Giang upgrade, 12 replications each. Runs on this engine are fast (a
    /// 60-day run takes ~40 ms), so each run simulates 3,000 days (~0.25 s on one core) to make a batch last several
    /// seconds and a silo hold a run at any moment.
    /// </summary>
    public static readonly string[] StandardBatch =
    [
        "batch", Path.Combine(Scenarios.BundledDirectory, "baseline.yaml"), Path.Combine(Scenarios.BundledDirectory, "nam-giang-upgrade.yaml"),
        "--set", "settings.days=3000", "--set", "settings.warmup_days=3", "--replications", StandardReplications.ToString(CultureInfo.InvariantCulture), "--seed", "7",
    ];

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Three silos with 2-second leases; one is SIGKILLed when half the runs are done. Its run is taken over once its
    /// lease expires, and the batch completes exactly as on the embedded silo. Prints the time from the kill to the
    /// re-lease of the dead silo's run.
    /// </summary>
    [Fact]
    public void SiloKilledMidBatch_ItsRunIsReleasedAfterTheLeaseAndTheBatchCompletesExactly()
    {
        const double lease = 2;
        using var cluster = new ClusterHarness(fixture.NewDatabase("killed_silo"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1, lease), cluster.Start("silo-b", 1, lease), cluster.Start("silo-c", 1, lease)];
        var ids = cluster.WaitForMembers(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "half the runs to be done", () => DoneRuns(cluster) >= StandardRuns / 2 || client.IsCompleted);
        Assert.False(client.IsCompleted, $"the batch finished before a silo could be killed\n{cluster.Describe()}");

        // The victim: the silo that leased a run most recently, so it is surely in the middle of that run.
        var victimPid = cluster.Scalar<int>(
            "SELECT s.pid FROM run_leases l JOIN silos s ON s.id = l.silo_id WHERE l.ended_at IS NULL ORDER BY l.leased_at DESC LIMIT 1");
        var victim = silos.Single(s => s.Pid == victimPid);
        var victimId = ids[victim.Name];
        var doneAtKill = DoneRuns(cluster);
        victim.Signal(UnixSignal.Kill);
        var killedAt = DateTime.UtcNow;
        Assert.True(victim.WaitForExit(TimeSpan.FromSeconds(10)), "SIGKILL did not end the silo");

        // What it held when it died: leases that never ended (nothing can take them over before they expire).
        var held = cluster.Rows(
            $"SELECT l.position, l.replication, l.attempt, r.lease_expires_at FROM run_leases l JOIN runs r USING (batch_id, position, replication) WHERE l.silo_id = '{victimId}' AND l.ended_at IS NULL");
        Assert.True(held.Count == 1, $"the killed silo (1 worker) should hold exactly one run, it holds {held.Count}\n{cluster.Describe()}");
        var (position, replication, attempt) = ((int)held[0][0]!, (int)held[0][1]!, (int)held[0][2]!);
        var expiresAt = (DateTime)held[0][3]!;

        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");

        // The run the dead silo held: its lease expired and another silo's next attempt finished it.
        var leases = RunLeases(cluster, position, replication);
        var dead = leases.Single(l => l.Attempt == attempt);
        var next = leases.Single(l => l.Attempt == attempt + 1);
        Assert.True(dead.SiloId == victimId && dead.Outcome == "expired", $"attempt {attempt} of run {position}/{replication} should have ended 'expired'\n{Format(leases)}");
        Assert.True(next.SiloId != victimId && next.Outcome == "done", $"attempt {attempt + 1} of run {position}/{replication} should be another silo's, 'done'\n{Format(leases)}");
        Assert.Equal(attempt + 1, leases.Max(l => l.Attempt));

        var detect = next.LeasedAt - killedAt;
        output.WriteLine(FormattableString.Invariant(
            $"MEASURED detect-and-re-lease time after SIGKILL: {detect.TotalSeconds:F3} s (lease {lease} s, heartbeat every {lease / 3:F2} s; the lease expired {(expiresAt - killedAt).TotalSeconds:F3} s after the kill, the run was re-leased {(next.LeasedAt - expiresAt).TotalSeconds:F3} s after expiry by another silo)"));
        output.WriteLine($"killed {victim.Name} (pid {victim.Pid}) with {doneAtKill} of {StandardRuns} runs done; it held run {position}/{replication} attempt {attempt}");
        Assert.True(detect > TimeSpan.Zero, $"the run was re-leased before the kill? {detect}");
        Assert.True(
            detect < TimeSpan.FromSeconds((lease * 2) + 2),
            $"detecting the dead silo and re-leasing its run took {detect.TotalSeconds:F3} s; expected under {(lease * 2) + 2} s (2 leases + 2 s)\n{cluster.Describe()}");

        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// A silo frozen with SIGSTOP past its 2-second lease: the other silo takes its run over; resumed with SIGCONT, the
    /// frozen silo finishes the run and its late result is refused by the lease fence. One result per run, written by
    /// the final attempt.
    /// </summary>
    [Fact]
    public void SiloFrozenPastItsLease_ItsLateResultIsRefusedAndTheTakeoverCounts()
    {
        const double lease = 2;
        using var cluster = new ClusterHarness(fixture.NewDatabase("frozen_silo"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1, lease), cluster.Start("silo-b", 1, lease)];
        var ids = cluster.WaitForMembers(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs to be done", () => DoneRuns(cluster) >= 4 || client.IsCompleted);
        Assert.False(client.IsCompleted, $"the batch finished before a silo could be frozen\n{cluster.Describe()}");

        var (victim, position, replication, attempt) = FreezeSiloHoldingARun(cluster, silos, ids);
        var victimId = ids[victim.Name];
        var stoppedAt = DateTime.UtcNow;

        // Past the lease, the other silo takes the run over (a new attempt in run_leases).
        cluster.WaitUntil(TimeSpan.FromSeconds(30), $"run {position}/{replication} to be taken over from the frozen {victim.Name}", () =>
            cluster.Count($"SELECT count(*) FROM run_leases WHERE position = {position} AND replication = {replication} AND attempt > {attempt}") > 0);
        output.WriteLine(FormattableString.Invariant($"{victim.Name} frozen holding run {position}/{replication} attempt {attempt}; taken over {(DateTime.UtcNow - stoppedAt).TotalSeconds:F3} s later (lease {lease} s)"));

        // Resumed while (or after) the new holder runs it: the stale attempt finishes its run and must be refused.
        victim.Signal(UnixSignal.Continue);
        var batchId = cluster.Scalar<long>("SELECT id FROM batches");
        var scenario = cluster.Scalar<string>($"SELECT name FROM batch_scenarios WHERE position = {position}");
        var refused = FormattableString.Invariant($"run {batchId}/{scenario}/{replication} attempt {attempt}: result refused");
        cluster.WaitUntil(TimeSpan.FromSeconds(30), $"{victim.Name} to log `{refused}`", () => victim.Log.Contains(refused, StringComparison.Ordinal));
        output.WriteLine($"{victim.Name} resumed and logged: {victim.Log.Split('\n').First(l => l.Contains(refused, StringComparison.Ordinal)).Trim()}");

        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");

        var leases = RunLeases(cluster, position, replication);
        var stale = leases.Single(l => l.Attempt == attempt);
        var final = leases.Single(l => l.Attempt == leases.Max(x => x.Attempt));
        Assert.True(stale.SiloId == victimId && stale.Outcome == "expired", $"the frozen silo's attempt {attempt} should have ended 'expired'\n{Format(leases)}\n{cluster.Describe()}");
        Assert.True(final.Attempt == attempt + 1 && final.SiloId != victimId && final.Outcome == "done", $"attempt {attempt + 1}, another silo's, should be 'done'\n{Format(leases)}\n{cluster.Describe()}");
        var written = cluster.Rows($"SELECT attempt, silo_id FROM results WHERE position = {position} AND replication = {replication}");
        Assert.Single(written);
        Assert.Equal(final.Attempt, (int)written[0][0]!);
        Assert.Equal(final.SiloId, (Guid)written[0][1]!);
        Assert.Equal(final.Attempt, cluster.Scalar<int>($"SELECT attempt FROM runs WHERE position = {position} AND replication = {replication}"));
        Assert.False(victim.HasExited, $"the resumed silo should carry on\n{cluster.Logs()}");

        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// PostgreSQL stopped for 3 s and started again mid-batch: the silos and the client retry with backoff, and the
    /// batch completes with one result per run and the embedded silo's numbers.
    /// </summary>
    [Fact]
    public void PostgresRestartedMidBatch_SilosAndClientReconnectAndTheBatchCompletesExactly()
    {
        using var cluster = new ClusterHarness(fixture.NewDatabase("restarted_db"));
        SiloProcess[] silos = [cluster.Start("silo-a", 1, 10), cluster.Start("silo-b", 1, 10)];
        cluster.WaitForMembers(JoinTimeout, silos);
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs to be done", () => DoneRuns(cluster) >= 3 || client.IsCompleted);
        var doneBefore = DoneRuns(cluster);
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
            var retries = silo.Log.Split('\n').Where(l => l.Contains("cluster database unreachable", StringComparison.Ordinal) && !l.Contains("deadlock", StringComparison.Ordinal)).ToList();
            Assert.True(retries.Count > 0, $"{silo.Name} should have retried while PostgreSQL was down\n{cluster.Logs()}");
            output.WriteLine($"{silo.Name}: {retries.Count} retries while PostgreSQL was down, first: {retries[0].Trim()}");
        }

        Assert.True(DoneRuns(cluster) == StandardRuns, cluster.Describe());
        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>
    /// Eight workers (two silos x 4) race for one-day runs: every run is leased once, by one worker, and done once; no
    /// two leases of a run ever overlap. 2,000 runs (about 12 s with pooled connections on 2 cores);
    /// TRADESIM_TEST_CLUSTER_RUNS sets another count.
    /// </summary>
    [Fact]
    public void EightWorkersRacingForManyRuns_NoRunIsEverLeasedTwiceAtOnce()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("TRADESIM_TEST_CLUSTER_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2 ? n / 2 * 2 : 2000;
        var replications = runs / 2;
        using var cluster = new ClusterHarness(fixture.NewDatabase("many_runs"));
        SiloProcess[] silos = [cluster.Start("silo-a", 4, 10), cluster.Start("silo-b", 4, 10)];
        cluster.WaitForMembers(JoinTimeout, silos);
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
        var perSilo = cluster.Table("SELECT name, workers, runs_done FROM silos ORDER BY name");
        var deadlocks = silos.Sum(s => s.Log.Split('\n').Count(l => l.Contains("deadlock detected", StringComparison.Ordinal)));
        output.WriteLine(FormattableString.Invariant(
            $"MEASURED {runs} one-day runs on 2 silos x 4 workers: {elapsed.TotalSeconds:F1} s ({runs / elapsed.TotalSeconds:F1} runs/s; 2,000 runs would take ~{2000 / (runs / elapsed.TotalSeconds):F0} s); deadlocks retried by the silos: {deadlocks}; per silo (name | workers | runs done):\n{perSilo}"));

        Assert.Equal(runs, DoneRuns(cluster));
        Assert.Equal(runs, cluster.Count("SELECT count(*) FROM run_leases"));
        Assert.Equal(runs, cluster.Count("SELECT count(DISTINCT (batch_id, position, replication)) FROM run_leases"));
        Assert.Equal(runs, cluster.Count("SELECT count(*) FROM run_leases WHERE attempt = 1 AND outcome = 'done' AND ended_at IS NOT NULL"));
        Assert.Equal(0, cluster.Count("SELECT count(*) FROM runs WHERE attempt <> 1 OR failures <> 0"));
        Assert.True(cluster.Count("SELECT count(DISTINCT silo_id) FROM run_leases") == 2, $"both silos should have taken runs:\n{perSilo}");
        AssertExactResults(cluster, runs);
    }

    /// <summary>
    /// SIGTERM to a silo with 60-second leases: it exits 0 within 2 s, its runs go back to pending at once (outcome
    /// 'released', no failure counted), and a silo started afterwards takes them long before the leases would expire.
    /// </summary>
    [Fact]
    public void SiloTerminated_ReleasesItsLeasesAtOnceAndAnotherSiloTakesThemOver()
    {
        const double lease = 60;
        using var cluster = new ClusterHarness(fixture.NewDatabase("terminated_silo"));
        var first = cluster.Start("silo-a", 2, lease);
        var firstId = cluster.WaitForMembers(JoinTimeout, first)[first.Name];
        using var client = new BackgroundCli([.. StandardBatch, "--cluster", cluster.ConnectionString, "--json"]);
        cluster.WaitUntil(BatchTimeout, "a few runs done and two runs held", () =>
            client.IsCompleted
            || (DoneRuns(cluster) >= 2 && cluster.Count($"SELECT count(*) FROM runs WHERE state = 'leased' AND lease_owner = '{firstId}'") == 2));
        Assert.False(client.IsCompleted, $"the batch finished before the silo could be stopped\n{cluster.Describe()}");

        var watch = Stopwatch.StartNew();
        first.Signal(UnixSignal.Terminate);
        var terminatedAt = DateTime.UtcNow;
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(15)), $"the silo did not exit within 15 s of SIGTERM\n{cluster.Logs()}");
        var exit = watch.Elapsed;
        output.WriteLine(FormattableString.Invariant($"{first.Name} exited with code {first.ExitCode} {exit.TotalSeconds:F3} s after SIGTERM"));
        Assert.True(first.ExitCode == 0, $"exit code {first.ExitCode}\n{cluster.Logs()}");
        Assert.True(exit < TimeSpan.FromSeconds(2.5), $"the silo took {exit.TotalSeconds:F3} s to exit after SIGTERM; expected about 2 s at most\n{cluster.Logs()}");

        // Released, not left to expire: back to pending, no owner, no failure counted, the lease ended 'released'.
        var released = cluster.Rows($"SELECT position, replication, attempt, ended_at FROM run_leases WHERE silo_id = '{firstId}' AND outcome = 'released' ORDER BY position, replication");
        Assert.True(released.Count >= 1, $"the silo held runs when it was stopped, but no lease ended 'released'\n{cluster.Describe()}");
        Assert.Equal(0, cluster.Count($"SELECT count(*) FROM run_leases WHERE silo_id = '{firstId}' AND (ended_at IS NULL OR outcome NOT IN ('done', 'released'))"));
        Assert.Equal(0, cluster.Count("SELECT count(*) FROM runs WHERE state = 'leased' OR lease_owner IS NOT NULL OR failures <> 0"));
        foreach (var row in released)
        {
            var (position, replication, attempt) = ((int)row[0]!, (int)row[1]!, (int)row[2]!);
            var run = cluster.Rows($"SELECT state, attempt, lease_expires_at FROM runs WHERE position = {position} AND replication = {replication}").Single();
            Assert.True(
                (string)run[0]! == "pending" && (int)run[1]! == attempt && run[2] is null,
                $"released run {position}/{replication} should be pending at attempt {attempt}, unowned: {string.Join(", ", run)}\n{cluster.Describe()}");
            Assert.True((DateTime)row[3]! - terminatedAt < TimeSpan.FromSeconds(2), $"run {position}/{replication} was released {((DateTime)row[3]! - terminatedAt).TotalSeconds:F3} s after SIGTERM");
        }

        Assert.NotNull(cluster.Scalar<object>($"SELECT stopped_at FROM silos WHERE id = '{firstId}'"));
        Assert.Contains(FormattableString.Invariant($"stopping: released {released.Count} leases"), first.Log, StringComparison.Ordinal);

        // A second silo takes the released runs as soon as it is up, long before the 60-second lease.
        var second = cluster.Start("silo-b", 2, lease);
        var secondId = cluster.WaitForMembers(JoinTimeout, second)[second.Name];
        var result = client.Wait(cluster, BatchTimeout);
        Assert.True(result.ExitCode == 0, $"{result.Describe()}\n{cluster.Describe()}");
        var secondJoined = cluster.Scalar<DateTime>($"SELECT started_at FROM silos WHERE id = '{secondId}'");
        foreach (var row in released)
        {
            var (position, replication, attempt) = ((int)row[0]!, (int)row[1]!, (int)row[2]!);
            var leases = RunLeases(cluster, position, replication);
            var next = leases.Single(l => l.Attempt == attempt + 1);
            Assert.True(next.SiloId == secondId && next.Outcome == "done", $"run {position}/{replication} should have been finished by {second.Name}\n{Format(leases)}");
            output.WriteLine(FormattableString.Invariant(
                $"released run {position}/{replication} re-leased {(next.LeasedAt - terminatedAt).TotalSeconds:F3} s after SIGTERM, {(next.LeasedAt - secondJoined).TotalSeconds:F3} s after {second.Name} joined (lease {lease} s)"));
            Assert.True(next.LeasedAt - secondJoined < TimeSpan.FromSeconds(5), $"{second.Name} took {(next.LeasedAt - secondJoined).TotalSeconds:F3} s to take a released run\n{cluster.Describe()}");
            Assert.True(next.LeasedAt - terminatedAt < TimeSpan.FromSeconds(lease / 2), "a released run waited like an expiring lease");
        }

        AssertExactResults(cluster, StandardRuns);
        Assert.Equal(fixture.EmbeddedScenarios, ScenariosJson(result));
    }

    /// <summary>The `scenarios` element of a `--json` comparison, as raw text.</summary>
    public static string ScenariosJson(CliResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var document = JsonDocument.Parse(result.StdoutBytes);
        return document.RootElement.GetProperty("scenarios").GetRawText();
    }

    private static long DoneRuns(ClusterHarness cluster) => cluster.Count("SELECT count(*) FROM runs WHERE state = 'done'");

    /// <summary>
    /// Every run done exactly once: <paramref name="runs"/> runs, all 'done'; exactly one results row each, written at
    /// the run's final attempt by the silo whose lease of that attempt ended 'done'; no run's leases overlap in time.
    /// </summary>
    private static void AssertExactResults(ClusterHarness cluster, int runs)
    {
        var context = cluster.Describe();
        Assert.True(cluster.Count("SELECT count(*) FROM runs") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM runs WHERE state = 'done'") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM results") == runs, context);
        Assert.True(cluster.Count("SELECT count(DISTINCT (batch_id, position, replication)) FROM results") == runs, context);
        Assert.True(cluster.Count("SELECT count(*) FROM runs r LEFT JOIN results s USING (batch_id, position, replication) WHERE s.batch_id IS NULL") == 0, $"runs without a result\n{context}");
        Assert.True(cluster.Count("SELECT count(*) FROM runs r JOIN results s USING (batch_id, position, replication) WHERE s.attempt <> r.attempt") == 0, $"results written by a stale attempt\n{context}");
        Assert.True(
            cluster.Count(
                """
                SELECT count(*) FROM runs r JOIN results s USING (batch_id, position, replication)
                JOIN run_leases l ON (l.batch_id, l.position, l.replication, l.attempt) = (r.batch_id, r.position, r.replication, r.attempt)
                WHERE l.outcome = 'done' AND l.silo_id = s.silo_id
                """) == runs,
            $"every result should be written by the holder of the run's final lease, ended 'done'\n{context}");
        Assert.True(cluster.Count("SELECT count(*) FROM run_leases WHERE outcome = 'done'") == runs, $"a run has more than one lease ended 'done'\n{context}");
        var overlaps = cluster.Table(
            """
            SELECT a.position, a.replication, a.attempt, a.silo_id, a.leased_at, a.ended_at, b.attempt, b.silo_id, b.leased_at, b.ended_at
            FROM run_leases a JOIN run_leases b ON (a.batch_id, a.position, a.replication) = (b.batch_id, b.position, b.replication) AND a.attempt < b.attempt
            WHERE a.leased_at < coalesce(b.ended_at, 'infinity') AND b.leased_at < coalesce(a.ended_at, 'infinity')
            """);
        Assert.True(overlaps.Length == 0, $"leases of the same run overlap in time:\n{overlaps}\n{context}");
    }

    /// <summary>
    /// SIGSTOPs the silo that leased a run most recently, and checks it froze cleanly: it still holds that run and left
    /// no transaction open (a silo frozen mid-transaction would hold row locks that SKIP LOCKED steps around, so
    /// nobody could take its run over); otherwise it is resumed and frozen again a little later.
    /// </summary>
    private (SiloProcess Silo, int Position, int Replication, int Attempt) FreezeSiloHoldingARun(ClusterHarness cluster, SiloProcess[] silos, Dictionary<string, Guid> ids)
    {
        for (var tries = 1; ; tries++)
        {
            var pid = cluster.Scalar<int>("SELECT s.pid FROM run_leases l JOIN silos s ON s.id = l.silo_id WHERE l.ended_at IS NULL ORDER BY l.leased_at DESC LIMIT 1");
            var silo = silos.Single(s => s.Pid == pid);
            silo.Signal(UnixSignal.Stop);
            Thread.Sleep(300);
            var held = cluster.Rows($"SELECT position, replication, attempt FROM run_leases WHERE silo_id = '{ids[silo.Name]}' AND ended_at IS NULL");
            var stuck = cluster.Count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid() AND state_change < now() - interval '250 milliseconds'");
            if (held.Count == 1 && stuck == 0)
            {
                return (silo, (int)held[0][0]!, (int)held[0][1]!, (int)held[0][2]!);
            }

            silo.Signal(UnixSignal.Continue);
            output.WriteLine($"froze {silo.Name} at a bad moment (runs held {held.Count}, sessions stuck in a transaction {stuck}): resumed it, trying again");
            Assert.True(tries < 5, $"could not freeze a silo cleanly while it held a run (held {held.Count}, sessions stuck in a transaction {stuck})\n{cluster.Describe()}");
            Thread.Sleep(200);
        }
    }

    private static List<LeaseRow> RunLeases(ClusterHarness cluster, int position, int replication) =>
        [.. cluster.Rows($"SELECT attempt, silo_id, leased_at, ended_at, outcome FROM run_leases WHERE position = {position} AND replication = {replication} ORDER BY attempt")
            .Select(r => new LeaseRow((int)r[0]!, (Guid)r[1]!, (DateTime)r[2]!, r[3] as DateTime?, r[4] as string))];

    private static string Format(IEnumerable<LeaseRow> leases) => string.Join('\n', leases);

    private sealed record LeaseRow(int Attempt, Guid SiloId, DateTime LeasedAt, DateTime? EndedAt, string? Outcome);
}
