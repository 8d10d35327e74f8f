using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Batches;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Storage;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>One throwaway PostgreSQL server and a temporary folder for <see cref="ClusterCommandTests"/>; each test takes a fresh database.</summary>
public sealed class ClusterCommandServer : IDisposable
{
    private int _databases;

    public PostgresServer Server { get; } = PostgresServer.Start();

    public TempDirectoryFixture Temp { get; } = new();

    /// <summary>A new empty database: its name and a connection string to it.</summary>
    public (string Name, string Connection) NewDatabase(string hint)
    {
        var name = $"{hint}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}";
        return (name, Server.CreateDatabase(name));
    }

    public void Dispose()
    {
        Server.Dispose();
        Temp.Dispose();
    }
}

/// <summary>
/// `tradesim batch|compare|export --cluster`, `tradesim cluster status` and the `tradesim-silo` executable against a
/// throwaway PostgreSQL: bad or unreachable clusters, TRADESIM_CLUSTER, results equal to the embedded silo's,
/// resubmission, the silo listing from Orleans' membership, poison runs (one that throws, one that kills its silo) and
/// the schema.
/// </summary>
[Collection(ClusterSerialGroup.Name)]
public sealed partial class ClusterCommandTests(ClusterCommandServer fixture) : IClassFixture<ClusterCommandServer>
{
    private const string Password = "s3cr3t-pw";
    private const string ClusterVariable = "TRADESIM_CLUSTER";
    private static readonly string[] ShortRuns = ["--set", "settings.days=10", "--set", "settings.warmup_days=2"];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // ---- 1. Bad or unreachable clusters, and passwords ----------------------------------------------------------

    [Theory]
    [InlineData("Host=;Bogus=1", "bad cluster connection string")]
    [InlineData("Host=;Bogus=1;Password=" + Password, "bad cluster connection string")]
    [InlineData("not a connection string", "bad cluster connection string")]
    [InlineData("Password=" + Password + ";not a connection string", "bad cluster connection string")]
    [InlineData("Host=127.0.0.1;Port=not-a-port;Password=" + Password, "bad cluster connection string")]
    [InlineData("Port=5432;Username=tradesim;Password=" + Password, "no Host")]
    [InlineData("Host=127.0.0.1;Port={closed};Username=tradesim;Database=nowhere;Password=" + Password, "connection refused")]
    [InlineData("Host=127.0.0.1;Port={live};Username=tradesim;Database=no_such_database;Password=" + Password, "database \"no_such_database\" does not exist")]
    public void BadOrUnreachableCluster_EveryCommandAndTheSilo_Exit2WithAnError_AndNeverShowThePassword(string connection, string expected)
    {
        connection = connection
            .Replace("{closed}", ClosedPort().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{live}", fixture.Server.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        string[][] commands =
        [
            ["batch", "baseline", "--replications", "1", .. ShortRuns, "--cluster", connection],
            ["batch", "--resume", "1", "--cluster", connection],
            ["cluster", "status", "--cluster", connection],
            ["compare", "1", "--cluster", connection],
            ["export", "1", "--cluster", connection, "--format", "csv"],
        ];
        foreach (var args in commands)
        {
            var result = Cli.Run(args);
            var what = $"tradesim {string.Join(' ', args)}\n{result.Describe()}";
            Assert.True(result.ExitCode == 2, what);
            var error = Assert.Single(result.StderrLines);
            Assert.StartsWith("error: ", error, StringComparison.Ordinal);
            Assert.True(error.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in the error\n{what}");
            ErrorAssert.NoStackTrace(result.Stderr);
            AssertNoPassword(result.Describe());
        }

        var silo = RunSilo(["--cluster", connection, "--workers", "1"], new Dictionary<string, string?> { [ClusterVariable] = null });
        var siloWhat = $"tradesim-silo --cluster '{connection}'\n{silo.Describe()}";
        Assert.True(silo.ExitCode == 2, siloWhat);
        var siloError = Assert.Single(silo.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", siloError, StringComparison.Ordinal);
        Assert.True(siloError.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in the error\n{siloWhat}");
        ErrorAssert.NoStackTrace(silo.Stderr);
        AssertNoPassword(silo.Describe());
    }

    [Fact]
    public void LiveCluster_WithAPassword_NoOutputNorReportShowsIt()
    {
        var (name, plain) = fixture.NewDatabase("password");
        var connection = plain + ";Password=" + Password;
        var folder = fixture.Temp.NewDirectory("password");

        var status = Cli.Run("cluster", "status", "--cluster", connection);
        Assert.True(status.ExitCode == 0, status.Describe());
        Assert.StartsWith($"cluster: Host=127.0.0.1;Port={fixture.Server.Port};Username=tradesim;Database={name};", status.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("silos: 0 alive of 0", status.StdoutLines);
        Assert.Contains("batches: 0", status.StdoutLines);
        AssertNoPassword(status.Describe());
        var synonym = Cli.Run("cluster", "status", "--cluster", plain + ";PWD=" + Password);
        Assert.True(synonym.ExitCode == 0, synonym.Describe());
        AssertNoPassword(synonym.Describe());

        var unknown = Cli.Run("compare", "3", "--cluster", connection);
        Assert.True(unknown.ExitCode == 2, unknown.Describe());
        Assert.Contains($"error: batch 3 is not in the cluster database Host=127.0.0.1;Port={fixture.Server.Port};Username=tradesim;Database={name}", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("(none: no batch was submitted)", unknown.Stderr, StringComparison.Ordinal);
        AssertNoPassword(unknown.Describe());

        // Submitted with no silo to run it, the client is stopped while it follows the batch.
        var submitted = FollowUntil(() => Count(plain, "SELECT count(*) FROM batches") == 1, ["batch", "baseline", "--replications", "1", .. ShortRuns, "--cluster", connection]);
        Assert.True(submitted.ExitCode == 130, submitted.Describe());
        Assert.Contains("submitted to the cluster at Host=127.0.0.1", submitted.Stderr, StringComparison.Ordinal);
        Assert.Contains("stopped following batch 1 (0 of 1 runs done)", submitted.Stderr, StringComparison.Ordinal);
        AssertNoPassword(submitted.Describe());

        var report = Path.Combine(folder, "report.html");
        var compare = Cli.Run("compare", "1", "--cluster", connection, "--report", report);
        Assert.True(compare.ExitCode == 0, compare.Describe());
        AssertNoPassword(compare.Describe());
        Assert.True(!File.ReadAllText(report).Contains(Password, StringComparison.Ordinal), $"the HTML report of a cluster batch shows the cluster password: the command line kept with the batch carries --cluster '{connection}'");
    }

    // ---- 2. TRADESIM_CLUSTER -------------------------------------------------------------------------------------

    [Fact]
    public void ClusterWithoutAValue_UsesTradesimCluster_AndWithNeitherExits2()
    {
        var (name, plain) = fixture.NewDatabase("variable");
        var connection = plain + ";Password=" + Password;
        var shown = $"Host=127.0.0.1;Port={fixture.Server.Port};Username=tradesim;Database={name}";
        var saved = Environment.GetEnvironmentVariable(ClusterVariable);
        try
        {
            Environment.SetEnvironmentVariable(ClusterVariable, connection);
            foreach (var args in new[] { new[] { "cluster", "status", "--cluster" }, ["cluster", "status"] })
            {
                var status = Cli.Run(args);
                Assert.True(status.ExitCode == 0, status.Describe());
                Assert.StartsWith($"cluster: {shown}", status.StdoutLines[0], StringComparison.Ordinal);
                AssertNoPassword(status.Describe());
            }

            foreach (var args in new[] { new[] { "compare", "7", "--cluster" }, ["export", "7", "--cluster", "--format", "csv"], ["batch", "--resume", "7", "--cluster"] })
            {
                var missing = Cli.Run(args);
                Assert.True(missing.ExitCode == 2, missing.Describe());
                Assert.Contains($"error: batch 7 is not in the cluster database {shown}", missing.Stderr, StringComparison.Ordinal);
            }

            var submitted = FollowUntil(() => Count(plain, "SELECT count(*) FROM batches") == 1, ["batch", "baseline", "--replications", "1", .. ShortRuns, "--cluster"]);
            Assert.True(submitted.ExitCode == 130, submitted.Describe());
            Assert.Contains($"submitted to the cluster at {shown}", submitted.Stderr, StringComparison.Ordinal);

            // Without --cluster, batch runs on the embedded silo whatever the variable says.
            var db = Path.Combine(fixture.Temp.NewDirectory("variable-embedded"), "results.db");
            var embedded = Cli.Run(["batch", "baseline", "--replications", "1", .. ShortRuns, "--db", db, "--json"]);
            Assert.True(embedded.ExitCode == 0, embedded.Describe());
            Assert.True(File.Exists(db), $"no result database at {db}");
            Assert.Equal(1, Count(plain, "SELECT count(*) FROM batches"));

            // The silo takes the variable too when --cluster is absent, and runs the submitted batch.
            using (var silo = StartSilo(fixture.Temp.NewDirectory("variable-silo"), null, "from-variable", new Dictionary<string, string?> { [ClusterVariable] = connection }))
            {
                WaitUntil(() => Count(plain, "SELECT count(*) FROM runs WHERE state = 'done'") == 1, () => "the silo started with TRADESIM_CLUSTER ran nothing\n" + silo.Log);
                Assert.Equal("from-variable", Rows(plain, "SELECT siloname FROM orleansmembershiptable").Single());
                silo.Stop(UnixSignal.Terminate);
                Assert.True(silo.ExitCode == 0, silo.Log);
                AssertNoPassword(silo.Log);
            }

            foreach (var unset in new[] { null, "  " })
            {
                Environment.SetEnvironmentVariable(ClusterVariable, unset);
                string[][] commands =
                [
                    ["cluster", "status"],
                    ["cluster", "status", "--cluster"],
                    ["batch", "baseline", "--replications", "1", .. ShortRuns, "--cluster"],
                    ["batch", "--resume", "1", "--cluster"],
                    ["compare", "1", "--cluster"],
                    ["export", "1", "--cluster", "--format", "csv"],
                ];
                foreach (var args in commands)
                {
                    var result = Cli.Run(args);
                    Assert.True(result.ExitCode == 2, $"TRADESIM_CLUSTER='{unset}' tradesim {string.Join(' ', args)}\n{result.Describe()}");
                    Assert.Equal("error: no cluster: expected --cluster \"Host=...;Database=...;Username=...\" or the TRADESIM_CLUSTER environment variable", Assert.Single(result.StderrLines));
                }

                var silo = RunSilo(["--workers", "1"], new Dictionary<string, string?> { [ClusterVariable] = unset });
                Assert.True(silo.ExitCode == 2, silo.Describe());
                Assert.StartsWith("error: no cluster", silo.Stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClusterVariable, saved);
        }
    }

    // ---- 3. Cluster = embedded -----------------------------------------------------------------------------------

    [Fact]
    public void ClusterBatch_EqualsTheEmbeddedBatch_AndCompareAndExportReadItBack()
    {
        var (_, plain) = fixture.NewDatabase("equal");
        var connection = plain + ";Password=" + Password;
        var folder = fixture.Temp.NewDirectory("equal");
        var db = Path.Combine(folder, "results.db");
        string[] batch = ["batch", "baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns];

        var embedded = Cli.Run([.. batch, "--db", db, "--json"]);
        Assert.True(embedded.ExitCode == 0, embedded.Describe());

        using var silo = StartSilo(folder, connection, "equal");
        var cluster = Cli.Run([.. batch, "--cluster", connection, "--json"]);
        Assert.True(cluster.ExitCode == 0, cluster.Describe() + "\n--- silo ---\n" + silo.Log);
        Assert.Equal(ScenariosText(embedded), ScenariosText(cluster));
        using (var json = JsonDocument.Parse(cluster.StdoutBytes))
        {
            Assert.Equal("complete", json.RootElement.GetProperty("status").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("replications").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("failed_runs").GetArrayLength());
        }

        var id = BatchId(cluster);
        var compare = Cli.Run("compare", id, "--cluster", connection, "--json");
        Assert.True(compare.ExitCode == 0, compare.Describe());
        Assert.Equal(cluster.Json, compare.Json);

        var compareText = Cli.Run("compare", id, "--cluster", connection);
        var embeddedText = Cli.Run("compare", BatchId(embedded), "--db", db);
        Assert.True(compareText.ExitCode == 0, compareText.Describe());
        Assert.Equal(embeddedText.Stdout, compareText.Stdout);

        var clusterCsv = Cli.Run("export", id, "--cluster", connection, "--format", "csv");
        var embeddedCsv = Cli.Run("export", BatchId(embedded), "--db", db, "--format", "csv");
        Assert.True(clusterCsv.ExitCode == 0, clusterCsv.Describe());
        var clusterRows = WithoutFirstColumn(Encoding.UTF8.GetString(clusterCsv.StdoutBytes));
        Assert.Equal(WithoutFirstColumn(Encoding.UTF8.GetString(embeddedCsv.StdoutBytes)), clusterRows);
        Assert.True(clusterRows.Count > 2 * 3, $"the export has {clusterRows.Count} lines");
        Assert.Equal("scenario,replication,seed,kpi,group,entity,measure,value", clusterRows[0]);

        var jsonl = Cli.Run("export", id, "--cluster", connection, "--format", "jsonl");
        Assert.True(jsonl.ExitCode == 0, jsonl.Describe());
        Assert.Equal(clusterRows.Count - 1, Encoding.UTF8.GetString(jsonl.StdoutBytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        Assert.Equal(6, Count(plain, "SELECT count(*) FROM results"));
        Assert.Contains("silo equal joined cluster tradesim", silo.Log, StringComparison.Ordinal);
        AssertNoPassword(string.Join('\n', cluster.Describe(), compare.Describe(), compareText.Describe(), clusterCsv.Describe(), silo.Log));
    }

    [Fact]
    public void ClusterSensitivity_EqualsTheEmbeddedOne()
    {
        // `tradesim sensitivity` is a batch: on a cluster it gives, number for number, what the embedded silo gives.
        var (_, plain) = fixture.NewDatabase("sensitivity");
        var connection = plain + ";Password=" + Password;
        var folder = fixture.Temp.NewDirectory("sensitivity");
        var scenario = Path.Combine(folder, "short-upgrade.yaml");
        File.WriteAllText(scenario, "extends: nam-giang-upgrade\nname: short-upgrade\nsettings: { days: 10, warmup_days: 2 }\n");
        var versus = Path.Combine(folder, "short-baseline.yaml");
        File.WriteAllText(versus, "extends: baseline\nname: short-baseline\nsettings: { days: 10, warmup_days: 2 }\n");
        string[] sensitivity =
        [
            "sensitivity", "--scenario", scenario, "--versus", versus, "--kpi", "gate.nam-giang.hours_to_cross_mean",
            "--input", "gates.nam-giang.la.lanes", "--input", "gates.bo-y.fee_usd", "--trajectories", "2", "--replications", "2", "--json",
        ];

        var embedded = Cli.Run([.. sensitivity, "--db", Path.Combine(folder, "results.db")]);
        Assert.True(embedded.ExitCode == 0, embedded.Describe());

        using var silo = StartSilo(folder, connection, "sensitivity");
        var cluster = Cli.Run([.. sensitivity, "--cluster", connection]);
        Assert.True(cluster.ExitCode == 0, cluster.Describe() + "\n--- silo ---\n" + silo.Log);
        Assert.Equal(WithoutBatchId(embedded.Json), WithoutBatchId(cluster.Json));
        using var json = JsonDocument.Parse(cluster.StdoutBytes);
        Assert.Contains("gates.nam-giang.la.lanes", cluster.Json, StringComparison.Ordinal);
        Assert.Equal(2 * 3 * 2 * 2, Count(plain, "SELECT count(*) FROM results"));
    }

    /// <summary>The JSON without its `"batch": N` line: the two stores number their batches on their own.</summary>
    private static string WithoutBatchId(string json) =>
        string.Join('\n', json.Split('\n').Where(l => !l.TrimStart().StartsWith("\"batch\":", StringComparison.Ordinal)));

    // ---- 4. Resubmission -----------------------------------------------------------------------------------------

    [Fact]
    public void ResubmittingTheSameBatch_FollowsTheFirst_AndCreatesNothing()
    {
        var (_, connection) = fixture.NewDatabase("resubmit");
        using var silo = StartSilo(fixture.Temp.NewDirectory("resubmit"), connection, "resubmit");
        var first = Cli.Run(["batch", "baseline", "nam-giang-upgrade", "--replications", "2", .. ShortRuns, "--cluster", connection, "--json"]);
        Assert.True(first.ExitCode == 0, first.Describe() + "\n--- silo ---\n" + silo.Log);
        Assert.Contains("submitted to the cluster", first.Stderr, StringComparison.Ordinal);
        var before = TableCounts(connection);

        // The same batch, its options in another order.
        var again = Cli.Run(["batch", "--cluster", connection, "--replications", "2", "baseline", .. ShortRuns, "nam-giang-upgrade", "--json"]);

        Assert.True(again.ExitCode == 0, again.Describe());
        Assert.Equal(BatchId(first), BatchId(again));
        Assert.Contains($"batch {BatchId(first)}: the same batch was submitted before: following it (nothing new is created)", again.StderrLines);
        Assert.DoesNotContain("submitted to the cluster", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, TableCounts(connection));
        Assert.Equal(ScenariosText(first), ScenariosText(again));
        Assert.Equal("4", Rows(connection, "SELECT count(*) FROM runs WHERE state = 'done' AND silo = 'resubmit'").Single());
    }

    // ---- 5. cluster status ---------------------------------------------------------------------------------------

    [Fact]
    public void ClusterStatus_ListsSilosFromOrleansMembership_TheirRuns_AndBatchCounts()
    {
        var (name, connection) = fixture.NewDatabase("status");
        var folder = fixture.Temp.NewDirectory("status");
        using var a = StartSilo(folder, connection, "silo-a");
        var batch = Cli.Run(["batch", "baseline", "--replications", "2", .. ShortRuns, "--cluster", connection]);
        Assert.True(batch.ExitCode == 0, batch.Describe() + "\n--- silo ---\n" + a.Log);

        var status = Status(connection);
        Assert.StartsWith($"cluster: Host=127.0.0.1;Port={fixture.Server.Port};Username=tradesim;Database={name};", status.Text, StringComparison.Ordinal);
        Assert.Contains("silos: 1 alive of 1", status.Text, StringComparison.Ordinal);
        var silo = Assert.Single(status.Silos);
        Assert.Equal(("silo-a", "alive", a.GatewayPort.ToString(CultureInfo.InvariantCulture), "2"), (silo["name"], silo["state"], silo["gateway"], silo["runs done"]));
        Assert.StartsWith(a.AddressPrefix, silo["address"], StringComparison.Ordinal);
        Assert.Matches("^[0-9]+ s ago$", silo["last alive"]);
        var first = Assert.Single(status.Batches);
        Assert.Equal(("1", "complete", "1", "2", "2", "0", "0"), (first["batch"], first["status"], first["scenarios"], first["replications"], first["done"], first["pending"], first["failed"]));

        // SIGTERM: the silo leaves the cluster gracefully; Orleans marks it dead at once.
        a.Stop(UnixSignal.Terminate);
        Assert.True(a.ExitCode == 0, a.Log);
        Assert.Contains("gave back 0 runs in progress or queued", a.Log, StringComparison.Ordinal);
        Assert.Contains(Status(connection).Silos, s => s["name"] == "silo-a" && s["state"] == "dead");

        // SIGKILL of the only silo: nobody is left to declare it dead, so it stays active in the table; once its
        // I-am-alive time is older than three periods it is listed as not responding (the time is back-dated rather
        // than waited for).
        using (var b = StartSilo(folder, connection, "silo-b"))
        {
            WaitUntil(() => Count(connection, "SELECT count(*) FROM orleansmembershiptable WHERE siloname = 'silo-b' AND status = 3") == 1, () => "silo-b did not join\n" + b.Log);
            Assert.Contains(Status(connection).Silos, s => s["name"] == "silo-b" && s["state"] == "alive");
            b.Stop(UnixSignal.Kill);
        }

        Execute(connection, "UPDATE orleansmembershiptable SET iamalivetime = now() - interval '1 minute' WHERE siloname = 'silo-b'");
        Execute(connection, "INSERT INTO orleansmembershiptable VALUES ('tradesim', '127.0.0.1', 1, 1, 'silo-c', 'h', 3, 2, '127.0.0.1:2@1,2026-01-01 00:00:00.000 GMT', now(), now())");

        // A second batch: one run failed for good, the rest pending.
        var scenarios = new[] { "baseline", "other" }
            .Select((n, i) => new BatchScenario(i, n, [new ScenarioSource($"{n}.yaml", Scenarios.BaselineText + (i == 0 ? string.Empty : "\n# other\n")), new ScenarioSource("--set", "settings:\n  days: 10\n")]))
            .ToList();
        var (second, created) = PreparedStore(connection).CreateBatch(new BatchSpec(scenarios, 0, 1, ReplicationPolicy.Fixed(3), ["test"]), 3, DateTimeOffset.UtcNow);
        Assert.True(created);
        Execute(connection, $"UPDATE runs SET state = 'failed', attempts = 3, last_error = 'boom' WHERE batch_id = {second} AND position = 1 AND replication = 0");

        status = Status(connection);
        Assert.Contains("silos: 0 alive of 3", status.Text, StringComparison.Ordinal);
        Assert.Equal([("silo-a", "dead", "2"), ("silo-b", "not responding", "0"), ("silo-c", "suspected", "0")], status.Silos.Select(s => (s["name"], s["state"], s["runs done"])));
        Assert.Matches("^6[0-9] s ago$", status.Silos[1]["last alive"]);
        Assert.Equal(2, status.Batches.Count);
        var row = status.Batches[1];
        Assert.Equal((second.ToString(CultureInfo.InvariantCulture), "running", "2", "3", "0", "5", "1"), (row["batch"], row["status"], row["scenarios"], row["replications"], row["done"], row["pending"], row["failed"]));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", row["created"]);
    }

    // ---- 6. Poison runs ------------------------------------------------------------------------------------------

    [Fact]
    public void ARunThatThrows_IsRetriedWithBackoff_ThenFailed_AndTheClientReportsIt()
    {
        var (_, connection) = fixture.NewDatabase("throws");
        var folder = fixture.Temp.NewDirectory("throws");

        // Valid YAML that does not compile: the silo's run throws ScenarioRejectedException on every attempt.
        var (broken, _) = Scenarios.EditBaseline("carrier: sekong-bauxite-haulers", "carrier: no-such-fleet");
        var shortRun = new ScenarioSource("--set", "settings:\n  days: 10\n  warmup_days: 2\n");
        var spec = new BatchSpec(
            [new BatchScenario(0, "baseline", [new ScenarioSource("baseline.yaml", Scenarios.BaselineText), shortRun]), new BatchScenario(1, "broken", [new ScenarioSource("broken.yaml", broken), shortRun])],
            0,
            1,
            ReplicationPolicy.Fixed(1),
            ["test"]);
        var (id, _) = PreparedStore(connection).CreateBatch(spec, 1, DateTimeOffset.UtcNow);
        var batchId = id.ToString(CultureInfo.InvariantCulture);

        // The client follows the batch before any silo exists, and comes back when the poison run has given up.
        var client = StartClient("batch", "--resume", batchId, "--cluster", connection, "--json");
        using var silo = StartSilo(folder, connection, "throws");
        var result = Finish(client, silo);

        Assert.True(result.ExitCode == 0, result.Describe() + "\n--- silo ---\n" + silo.Log);
        using (var json = JsonDocument.Parse(result.StdoutBytes))
        {
            Assert.Equal("complete", json.RootElement.GetProperty("status").GetString());
            var failed = Assert.Single(json.RootElement.GetProperty("failed_runs").EnumerateArray());
            Assert.Equal("broken", failed.GetProperty("scenario").GetString());
            Assert.Equal(0, failed.GetProperty("replication").GetInt32());
            Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
            Assert.Contains("unknown carrier 'no-such-fleet'", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(["0|done|1", "1|failed|3"], Rows(connection, $"SELECT position, state, attempts FROM runs WHERE batch_id = {batchId} ORDER BY position"));
        var error = Rows(connection, $"SELECT last_error FROM runs WHERE batch_id = {batchId} AND position = 1").Single();
        Assert.StartsWith("ScenarioRejectedException: ", error, StringComparison.Ordinal);
        Assert.Contains("unknown carrier 'no-such-fleet'", error, StringComparison.Ordinal);

        // Three attempts, each logged by the silo, the second at least 0.5 s after the first and the third at least 1 s after that.
        var attempts = silo.Log.Split('\n').Where(l => l.Contains($"run {batchId}/1/0 (broken) attempt ", StringComparison.Ordinal) && l.Contains(" failed: ScenarioRejectedException", StringComparison.Ordinal)).ToList();
        Assert.True(attempts.Count == 3, $"expected 3 failed attempts in the silo's log\n{silo.Log}");
        var at = attempts.Select(l => TimeSpan.ParseExact(l[..12], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture).TotalSeconds).ToArray();
        var gaps = new[] { at[1] - at[0], at[2] - at[1] };
        Assert.True(gaps[0] >= 0.5 && gaps[1] >= 1.0 && gaps[1] > gaps[0], $"the retries came {gaps[0]:F3} s and {gaps[1]:F3} s apart: expected at least 0.5 s, then at least 1 s\n{silo.Log}");
        Assert.Contains($"run {batchId}/1/0 given up after 3 attempts: ScenarioRejectedException", silo.Log, StringComparison.Ordinal);

        var text = Cli.Run("batch", "--resume", batchId, "--cluster", connection);
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Contains("WARNING: 1 runs failed on every attempt and are left out (their replications are compared in no scenario):", text.StdoutLines);
        Assert.Contains(text.StdoutLines, l => l.StartsWith("  broken replication 0, 3 attempts: ScenarioRejectedException: ", StringComparison.Ordinal) && l.Contains("no-such-fleet", StringComparison.Ordinal));
    }

    /// <summary>
    /// A run that kills every silo that starts it: each attempt is counted in the store before the run leaves the
    /// batch grain, so even though the batch grain dies with the first silos, the run is given up after three
    /// attempts and the batch completes on a healthy silo.
    /// </summary>
    [Theory]
    [InlineData("--workers", "abc", "error: --workers must be a whole number from 1 to 1024, not 'abc'")]
    [InlineData("--workers", "2147483648", "error: --workers must be a whole number from 1 to 1024, not '2147483648'")]
    [InlineData("--silo-port", "70000", "error: --silo-port must be a whole number from 1 to 65535, not '70000'")]
    [InlineData("--gateway-port", "NaN", "error: --gateway-port must be a whole number from 1 to 65535, not 'NaN'")]
    public void Silo_BadOptionValue_IsOneErrorLine_Exit2_BeforeAnythingIsContacted(string option, string value, string expected)
    {
        // No server at all: the values are checked before the cluster database is opened.
        var silo = RunSilo(["--cluster", "Host=127.0.0.1;Port=1;Database=none;Username=none", option, value], null);

        Assert.True(silo.ExitCode == 2, silo.Describe());
        Assert.Equal(expected, silo.Stderr.Trim());
    }

    [Fact]
    public void ARunThatKillsItsSilo_FailsAfterThreeCrashes_AndTheClientReportsIt()
    {
        var (_, connection) = fixture.NewDatabase("crashes");
        var folder = fixture.Temp.NewDirectory("crashes");
        var client = StartClient(["batch", "baseline", "nam-giang-upgrade", "--replications", "1", .. ShortRuns, "--cluster", connection, "--json"]);
        WaitUntil(() => Count(connection, "SELECT count(*) FROM batches") == 1 || client.Task.IsCompleted, () => "the batch was not submitted");
        Assert.False(client.Task.IsCompleted, "the client ended before any silo ran the batch");

        var crashes = new Dictionary<string, string?> { [ClusterServiceCrashVariable] = "nam-giang-upgrade" };
        var logs = new StringBuilder();
        for (var i = 1; i <= 3; i++)
        {
            using var crashing = StartSilo(folder, connection, $"crash-{i}", crashes);
            Assert.True(crashing.WaitForExit(Timeout), $"crashing silo {i} did not crash within {Timeout.TotalSeconds} s\n{crashing.Log}");
            Assert.True(crashing.ExitCode != 0, crashing.Log);
            Assert.Contains($"fault injection: {ClusterServiceCrashVariable}=nam-giang-upgrade", crashing.Log, StringComparison.Ordinal);
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), Rows(connection, "SELECT attempts FROM runs WHERE position = 1").Single());
            logs.Append(CultureInfo.InvariantCulture, $"--- crash-{i} ---\n{crashing.Log}\n");
        }

        using var healthy = StartSilo(folder, connection, "healthy");
        var result = Finish(client, healthy);
        logs.Append(CultureInfo.InvariantCulture, $"--- healthy ---\n{healthy.Log}\n");

        Assert.True(result.ExitCode == 0, result.Describe() + "\n" + logs);
        using (var json = JsonDocument.Parse(result.StdoutBytes))
        {
            Assert.Equal("complete", json.RootElement.GetProperty("status").GetString());
            var failed = Assert.Single(json.RootElement.GetProperty("failed_runs").EnumerateArray());
            Assert.Equal("nam-giang-upgrade", failed.GetProperty("scenario").GetString());
            Assert.Equal(0, failed.GetProperty("replication").GetInt32());
            Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
            Assert.Contains("died while executing it", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // The baseline run may have been lost with the crashing silos too (queued or executing beside the poison run),
        // but its last attempt runs alone, so it is done, not given up for its neighbour.
        var states = Rows(connection, "SELECT position, state, coalesce(silo, '') FROM runs ORDER BY position");
        Assert.Equal(2, states.Count);
        Assert.StartsWith("0|done|", states[0], StringComparison.Ordinal);
        Assert.Equal("1|failed|", states[1]);
        Assert.Equal(
            "its silo died while executing it, on every attempt (killed, or frozen past failure detection)",
            Rows(connection, "SELECT last_error FROM runs WHERE position = 1").Single());

        var text = Cli.Run("compare", "1", "--cluster", connection);
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Contains("WARNING: 1 runs failed on every attempt and are left out (their replications are compared in no scenario):", text.StdoutLines);
        Assert.Contains("  nam-giang-upgrade replication 0, 3 attempts: its silo died while executing it, on every attempt (killed, or frozen past failure detection)", text.StdoutLines);
    }

    // ---- 7. Schema -----------------------------------------------------------------------------------------------

    [Fact]
    public void Schema_IsCreatedOnFirstUse_WithItsVersion_AndPreparingAgainChangesNothing()
    {
        var (_, connection) = fixture.NewDatabase("schema");
        string[] tables = ["batch_scenarios", "batches", "orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "results", "runs", "scenario_texts", "tradesim_schema"];
        const string ListTables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename";
        Assert.Empty(Rows(connection, ListTables));

        var status = Cli.Run("cluster", "status", "--cluster", connection);
        Assert.True(status.ExitCode == 0, status.Describe());
        Assert.Equal(tables, Rows(connection, ListTables));
        Assert.Equal([ClusterDatabase.SchemaVersion.ToString(CultureInfo.InvariantCulture)], Rows(connection, "SELECT max(version) FROM tradesim_schema"));
        Execute(connection, "INSERT INTO orleansmembershipversiontable (deploymentid) VALUES ('marker')");

        ClusterDatabase.FromConnectionString(connection).Prepare();
        Assert.Equal(0, Cli.Run("cluster", "status", "--cluster", connection).ExitCode);
        Assert.Equal([ClusterDatabase.SchemaVersion.ToString(CultureInfo.InvariantCulture) + "|" + ClusterDatabase.SchemaVersion.ToString(CultureInfo.InvariantCulture)], Rows(connection, "SELECT count(*), max(version) FROM tradesim_schema"));
        Assert.Equal(tables, Rows(connection, ListTables));
        Assert.Equal(["marker"], Rows(connection, "SELECT deploymentid FROM orleansmembershipversiontable"));

        // Several members preparing a fresh database at once: one migrates, the others find it done.
        var (_, fresh) = fixture.NewDatabase("schema_race");
        Parallel.For(0, 4, _ => ClusterDatabase.FromConnectionString(fresh).Prepare());
        Assert.Equal([ClusterDatabase.SchemaVersion.ToString(CultureInfo.InvariantCulture) + "|" + ClusterDatabase.SchemaVersion.ToString(CultureInfo.InvariantCulture)], Rows(fresh, "SELECT count(*), max(version) FROM tradesim_schema"));

        // A schema newer than this build is refused, by the client and by the silo.
        var newer = (ClusterDatabase.SchemaVersion + 1).ToString(CultureInfo.InvariantCulture);
        Execute(connection, $"INSERT INTO tradesim_schema (version) VALUES ({newer})");
        var refused = Cli.Run("cluster", "status", "--cluster", connection);
        Assert.True(refused.ExitCode == 2, refused.Describe());
        Assert.Contains($"has schema version {newer}; this build knows up to {ClusterDatabase.SchemaVersion}: upgrade tradesim", Assert.Single(refused.StderrLines), StringComparison.Ordinal);
        var silo = RunSilo(["--cluster", connection], null);
        Assert.True(silo.ExitCode == 2, silo.Describe());
        Assert.Contains("upgrade tradesim", silo.Stderr, StringComparison.Ordinal);
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private const string ClusterServiceCrashVariable = TradeSim.Grains.Runs.RunOptions.CrashOnScenarioVariable;

    private static void AssertNoPassword(string output) =>
        Assert.True(!output.Contains(Password, StringComparison.Ordinal), $"the password '{Password}' was printed:\n{output}");

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static ProcessResult RunSilo(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment) =>
        ProcessRunner.Run(SiloProcess.Host, [SiloProcess.Dll, .. args], Timeout, Path.GetTempPath(), environment);

    private static string ScenariosText(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        return json.RootElement.GetProperty("scenarios").GetRawText();
    }

    private static string BatchId(CliResult result)
    {
        using var json = JsonDocument.Parse(result.StdoutBytes);
        return json.RootElement.GetProperty("batch").GetInt64().ToString(CultureInfo.InvariantCulture);
    }

    private static List<string> WithoutFirstColumn(string csv) =>
        [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Select(l => l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..])];

    private static string TableCounts(string connection) =>
        Rows(connection, "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_scenarios), (SELECT count(*) FROM scenario_texts), (SELECT count(*) FROM runs), (SELECT sum(attempts) FROM runs), (SELECT count(*) FROM results)").Single();

    /// <summary>Runs a command that follows a cluster batch and stops it (as Ctrl-C would) once <paramref name="condition"/> holds.</summary>
    private static CliResult FollowUntil(Func<bool> condition, params string[] args)
    {
        var client = StartClient(args);
        WaitUntil(() => condition() || client.Task.IsCompleted, () => "the condition never held");
        client.Stop.Cancel();
        return Finish(client, null);
    }

    private static (Task<CliResult> Task, CancellationTokenSource Stop) StartClient(params string[] args)
    {
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var task = Task.Factory.StartNew(() => Cli.Run(stop.Token, args), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return (task, stop);
    }

    private static CliResult Finish((Task<CliResult> Task, CancellationTokenSource Stop) client, SiloProcess? silo)
    {
        using (client.Stop)
        {
            Assert.True(client.Task.Wait(TimeSpan.FromSeconds(100)), "the client did not finish\n" + silo?.Log);
            return client.Task.Result;
        }
    }

    private static void WaitUntil(Func<bool> condition, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!Holds(condition))
        {
            if (clock.Elapsed > Timeout)
            {
                Assert.Fail($"not reached within {Timeout.TotalSeconds} s: {describe()}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Evaluates a condition on the cluster database; false while its schema is not created yet.</summary>
    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    /// <summary>`cluster status` parsed: the text, and the rows of its silo and batch tables keyed by column name.</summary>
    private static (string Text, List<Dictionary<string, string>> Silos, List<Dictionary<string, string>> Batches) Status(string connection)
    {
        var result = Cli.Run("cluster", "status", "--cluster", connection);
        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StdoutLines;
        List<Dictionary<string, string>> Table(string title)
        {
            var rows = lines.SkipWhile(l => !l.StartsWith(title, StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).ToList();
            if (rows.Count == 1 && rows[0].Trim() == "(none)")
            {
                return [];
            }

            var header = Columns().Split(rows[0].Trim());
            return [.. rows.Skip(1).Select(r =>
            {
                var cells = Columns().Split(r.Trim());
                Assert.True(cells.Length == header.Length, $"a row of {cells.Length} cells under {header.Length} columns: {r}\n{result.Stdout}");
                return header.Zip(cells).ToDictionary(c => c.First, c => c.Second, StringComparer.Ordinal);
            })];
        }

        return (result.Stdout, Table("silos:"), Table("batches:"));
    }

    private static PostgresResultStore PreparedStore(string connection)
    {
        var database = ClusterDatabase.FromConnectionString(connection);
        database.Prepare();
        return new PostgresResultStore(database, CancellationToken.None);
    }

    /// <summary>Starts a silo with one worker and its log in <paramref name="folder"/>; null connection: TRADESIM_CLUSTER.</summary>
    private static SiloProcess StartSilo(string folder, string? connection, string name, IReadOnlyDictionary<string, string?>? environment = null) =>
        SiloProcess.Start(connection, name, 1, Path.Combine(folder, $"{name}-{Guid.NewGuid():N}.log"), environment);

    private static long Count(string connection, string sql) => long.Parse(Rows(connection, sql).Single(), CultureInfo.InvariantCulture);

    private static void Execute(string connection, string sql)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = new NpgsqlCommand(sql, db);
        command.ExecuteNonQuery();
    }

    /// <summary>Every row of a query, its columns joined by '|' (as psql -A prints them; null is empty).</summary>
    private static List<string> Rows(string connection, string sql)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = new NpgsqlCommand(sql, db);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? string.Empty : reader.GetValue(i) switch
            {
                bool flag => flag ? "true" : "false",
                IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
                var value => value.ToString(),
            })));
        }

        return rows;
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Columns();
}
