using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Batches;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Results;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>One throwaway PostgreSQL server for <see cref="ClusterStoreTests"/>; every test gets a fresh, migrated database.</summary>
public sealed class ClusterStoreServer : IDisposable
{
    private int _databases;

    public PostgresServer Server { get; } = PostgresServer.Start();

    public ClusterDatabase NewDatabase()
    {
        var name = "store_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        var database = ClusterDatabase.FromConnectionString(Server.CreateDatabase(name));
        database.Prepare();
        return database;
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>
/// The cluster's coordination through PostgreSQL, called directly (no processes): batch submission and its
/// fingerprint, replication planning, and the lease protocol of <see cref="ClusterMember"/> (fencing by attempt,
/// release, retries with backoff, poison runs, SKIP LOCKED).
/// </summary>
public sealed class ClusterStoreTests(ClusterStoreServer fixture) : IClassFixture<ClusterStoreServer>
{
    private static readonly string BaselineText = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml"));

    /// <summary>A layer like the ones `--set` adds: ten days of statistics after two of warm-up.</summary>
    private static readonly ScenarioSource ShortRun = new("--set", "settings:\n  days: 10\n  warmup_days: 2\n");

    private static readonly KpiValue[] SomeKpis = [new("gate.nam-giang.trucks", 42), new("gate.nam-giang.tonnes", 1234.5)];

    private static readonly (string Gate, float[] MeanQueue)[] SomeQueues = [("nam-giang", [1f, 2f, 3f])];

    [Fact]
    public void Submit_TheSameBatchTwice_GivesTheSameId_AndCreatesNothing()
    {
        var database = fixture.NewDatabase();
        var store = Store(database);
        var spec = Spec(1, Scenario(0, "baseline"), Scenario(1, "edited", BaselineText + "\n# edited\n"));

        var first = store.Submit(spec, 3);
        var before = Counts(database);
        var second = store.Submit(spec with { Options = ["batch", "a", "different", "command", "line"] }, 3);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(before, Counts(database));
        Assert.Equal("1|2|2|6", Row(database, "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_scenarios), (SELECT count(*) FROM scenario_texts), (SELECT count(*) FROM runs)"));

        // Another seed is another batch, but the same scenario texts are stored once.
        var reseeded = store.Submit(Spec(2, Scenario(0, "baseline"), Scenario(1, "edited", BaselineText + "\n# edited\n")), 3);
        Assert.True(reseeded.Created);
        Assert.NotEqual(first.Id, reseeded.Id);
        Assert.Equal("2|2|12", Row(database, "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM scenario_texts), (SELECT count(*) FROM runs)"));
    }

    [Fact]
    public void Submit_TheSameBatchConcurrently_CreatesOneBatch()
    {
        var database = fixture.NewDatabase();
        var spec = Spec(7, Scenario(0, "baseline"));
        using var start = new Barrier(6);
        var results = new ConcurrentBag<(long Id, bool Created)>();
        var errors = new ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 6).Select(_ => new Thread(() =>
        {
            try
            {
                var store = Store(database);
                start.SignalAndWait();
                results.Add(store.Submit(spec, 2));
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a Submit did not return within 60 s"));
        Assert.Empty(errors);

        Assert.Equal(6, results.Count);
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Equal("1|2", Row(database, "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM runs)"));
    }

    [Fact]
    public void Fingerprint_ChangesWithSeedPolicyAndScenarios_NotWithTheCommandLineOrLayerNames()
    {
        var spec = Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other\n"));
        var fingerprint = ClusterStore.Fingerprint(spec);

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, ClusterStore.Fingerprint(Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other\n"))));
        Assert.Equal(fingerprint, ClusterStore.Fingerprint(spec with { Options = ["--cluster", "Host=elsewhere"] }));
        var renamedLayers = new BatchScenario(1, "other", [new ScenarioSource("../somewhere/else.yaml", BaselineText + "\n# other\n"), ShortRun with { Name = "--set again" }]);
        Assert.Equal(fingerprint, ClusterStore.Fingerprint(spec with { Scenarios = [spec.Scenarios[0], renamedLayers] }));

        var different = new Dictionary<string, BatchSpec>
        {
            ["seed"] = spec with { Seed = 2 },
            ["scenario text"] = Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other, edited\n")),
            ["override layer"] = spec with { Scenarios = [spec.Scenarios[0], new BatchScenario(1, "other", [new ScenarioSource("other.yaml", BaselineText + "\n# other\n"), new ScenarioSource("--set", "settings:\n  days: 11\n  warmup_days: 2\n")])] },
            ["scenario name"] = Spec(1, Scenario(0, "baseline"), Scenario(1, "renamed", BaselineText + "\n# other\n")),
            ["baseline"] = spec with { BaselinePosition = 1 },
            ["replications"] = spec with { Policy = ReplicationPolicy.Fixed(5) },
            ["precision"] = spec with { Policy = new ReplicationPolicy(3, 3, 0.05) },
            ["scenario order"] = Spec(1, Scenario(0, "other", BaselineText + "\n# other\n"), Scenario(1, "baseline")),
        };
        foreach (var (what, changed) in different)
        {
            Assert.True(ClusterStore.Fingerprint(changed) != fingerprint, $"changing the {what} kept the fingerprint");
        }

        Assert.Equal(different.Count, different.Values.Select(ClusterStore.Fingerprint).Distinct().Count());
    }

    [Fact]
    public void PlanReplications_AddsOnlyTheNewRuns()
    {
        var database = fixture.NewDatabase();
        var store = Store(database);
        var (id, _) = store.Submit(Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other\n")), 2);
        var member = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        using (var connection = database.Open())
        {
            member.Join(connection, "planner-test", 1);
            var lease = Assert.Single(member.Lease(connection, 1));
            Assert.Equal((id, 0, 0, 1), (lease.BatchId, lease.Position, lease.Replication, lease.Attempt));
            Assert.True(member.Complete(connection, lease, SomeKpis, SomeQueues, conserved: true, wallMilliseconds: 5));
        }

        store.PlanReplications(id, 4);

        Assert.Equal(
            ["0|0|done|1", "0|1|pending|0", "0|2|pending|0", "0|3|pending|0", "1|0|pending|0", "1|1|pending|0", "1|2|pending|0", "1|3|pending|0"],
            Rows(database, $"SELECT position, replication, state, attempt FROM runs WHERE batch_id = {id} ORDER BY position, replication"));
        Assert.Equal("4|1", Row(database, $"SELECT planned_replications, (SELECT count(*) FROM results) FROM batches WHERE id = {id}"));
        var progress = Assert.Single(store.Batches(id));
        Assert.Equal((2, 4, 7L, 0L, 1L, 0L), (progress.Scenarios, progress.PlannedReplications, progress.Pending, progress.Leased, progress.Done, progress.Failed));
        Assert.Equal([(1, 0), (0, 1), (1, 1), (0, 2), (1, 2), (0, 3), (1, 3)], store.PendingRuns(id));

        // Fewer replications than planned change nothing.
        store.PlanReplications(id, 3);
        Assert.Equal("8|4", Row(database, $"SELECT (SELECT count(*) FROM runs), planned_replications FROM batches WHERE id = {id}"));
    }

    [Fact]
    public void Lease_ExpiredAndTakenOver_OnlyTheCurrentAttemptsResultCounts()
    {
        var database = fixture.NewDatabase();
        var store = Store(database);
        var (id, _) = store.Submit(Spec(1, Scenario(0, "baseline")), 1);
        var a = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(1));
        var b = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        using var connection = database.Open();
        a.Join(connection, "a", 1);
        b.Join(connection, "b", 1);

        var leaseA = Assert.Single(a.Lease(connection, 5));
        Assert.Equal(new RunLease(id, 0, 0, 1, 1, "baseline", Scenario(0, "baseline").Hash), leaseA);
        Assert.Empty(b.Lease(connection, 5));

        Thread.Sleep(TimeSpan.FromSeconds(1.3));
        Assert.Equal(0, a.Heartbeat(connection, [leaseA]));
        var leaseB = Assert.Single(b.Lease(connection, 5));
        Assert.Equal(leaseA with { Attempt = 2 }, leaseB);
        Assert.Equal("leased|2|1", Row(database, $"SELECT state, attempt, failures FROM runs WHERE batch_id = {id}"));

        Assert.False(a.Complete(connection, leaseA, SomeKpis, SomeQueues, conserved: true, wallMilliseconds: 1), "a silo whose lease was taken over wrote its result");
        Assert.False(a.Fail(connection, leaseA, "late failure"), "a silo whose lease was taken over failed the run");
        Assert.Equal(1, b.Heartbeat(connection, [leaseB]));
        Assert.True(b.Complete(connection, leaseB, SomeKpis, SomeQueues, conserved: true, wallMilliseconds: 2));
        Assert.False(b.Complete(connection, leaseB, SomeKpis, SomeQueues, conserved: true, wallMilliseconds: 3), "a run was completed twice");

        Assert.Equal($"done|2|1||{b.SiloId}", Row(database, $"SELECT r.state, r.attempt, r.failures, coalesce(r.last_error, ''), s.silo_id FROM runs r JOIN results s USING (batch_id, position, replication) WHERE r.batch_id = {id}"));
        Assert.Equal("1", Row(database, "SELECT count(*) FROM results"));
        Assert.Equal(["a|0", "b|1"], Rows(database, "SELECT name, runs_done FROM silos ORDER BY name"));
        var stored = Assert.Single(store.FinishedRuns(id));
        Assert.Equal(42, stored.Kpis["gate.nam-giang.trucks"]);
        Assert.Equal(1234.5, stored.Kpis["gate.nam-giang.tonnes"]);
        var queue = Assert.Single(store.DailyQueues(id));
        Assert.Equal("nam-giang", queue.Gate);
        Assert.Equal([1f, 2f, 3f], queue.MeanQueue);

        // The lease history: the late Fail of the silo that lost the run must not rewrite how its attempt ended.
        Assert.Equal([$"1|{a.SiloId}|expired", $"2|{b.SiloId}|done"], Rows(database, "SELECT attempt, silo_id, outcome FROM run_leases ORDER BY attempt"));
    }

    [Fact]
    public void ReleaseAll_ReturnsRunsToPending_WithoutCountingAFailure()
    {
        var database = fixture.NewDatabase();
        var (id, _) = Store(database).Submit(Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other\n")), 2);
        var a = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        var b = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        using var connection = database.Open();
        a.Join(connection, "a", 3);
        b.Join(connection, "b", 3);
        var held = a.Lease(connection, 3);
        Assert.Equal(3, held.Count);
        var done = held[0];
        Assert.True(a.Complete(connection, done, SomeKpis, SomeQueues, conserved: true, wallMilliseconds: 1));

        Assert.Equal(2, a.ReleaseAll(connection));

        Assert.Equal(
            ["0|0|done|1|0|", "0|1|pending|1|0|", "1|0|pending|1|0|", "1|1|pending|0|0|"],
            Rows(database, $"SELECT position, replication, state, attempt, failures, coalesce(lease_owner::text, '') FROM runs WHERE batch_id = {id} ORDER BY position, replication"));
        Assert.Equal(["done", "released", "released"], Rows(database, "SELECT outcome FROM run_leases ORDER BY outcome"));
        Assert.Equal("true", Row(database, $"SELECT stopped_at IS NOT NULL FROM silos WHERE id = '{a.SiloId}'"));
        Assert.False(Store(database).Silos().Single(s => s.Id == a.SiloId).Alive);

        // The released runs are leased again at once (no backoff), as their next attempt.
        var again = b.Lease(connection, 5);
        Assert.Equal([(0, 1, 2), (1, 0, 2), (1, 1, 1)], again.Select(l => (l.Position, l.Replication, l.Attempt)).OrderBy(x => x));
        Assert.Equal(0, a.ReleaseAll(connection));
        Assert.Equal("0", Row(database, $"SELECT max(failures) FROM runs WHERE batch_id = {id}"));
    }

    [Fact]
    public void Fail_RetriesWithDoublingBackoff_AndMarksTheRunFailedAfterMaxAttempts()
    {
        var database = fixture.NewDatabase();
        var store = Store(database);
        var (id, _) = store.Submit(Spec(1, Scenario(0, "baseline")), 1, maxAttempts: 3);
        var member = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        using var connection = database.Open();
        member.Join(connection, "failing", 1);

        var backoffs = new List<double>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var lease = Assert.Single(member.Lease(connection, 1));
            Assert.Equal(attempt, lease.Attempt);
            Assert.True(member.Fail(connection, lease, $"InvalidOperationException: boom {attempt}"));
            if (attempt < 3)
            {
                Assert.Equal($"pending|{attempt}", Row(database, $"SELECT state, failures FROM runs WHERE batch_id = {id}"));
                Assert.Empty(member.Lease(connection, 1));
                // The backoff counts from the failure (when the attempt's lease ended, in the same transaction).
                backoffs.Add(double.Parse(
                    Row(database, $"SELECT extract(epoch FROM r.not_before - l.ended_at) FROM runs r JOIN run_leases l USING (batch_id, position, replication) WHERE r.batch_id = {id} AND l.attempt = {attempt}"),
                    CultureInfo.InvariantCulture));

                // Skip the wait: the backoff itself is checked above and, end to end, by the client tests.
                Execute(database, $"UPDATE runs SET not_before = now() WHERE batch_id = {id}");
            }
        }

        Assert.InRange(backoffs[0], 0.4, 0.5);
        Assert.InRange(backoffs[1], 0.9, 1.0);
        Assert.Equal("failed|3|3|InvalidOperationException: boom 3|", Row(database, $"SELECT state, attempt, failures, last_error, coalesce(lease_owner::text, '') FROM runs WHERE batch_id = {id}"));
        Assert.Equal(["1|failed", "2|failed", "3|failed"], Rows(database, "SELECT attempt, outcome FROM run_leases ORDER BY attempt"));
        Assert.Empty(member.Lease(connection, 1));
        var failed = Assert.Single(store.FailedRuns(id));
        Assert.Equal(new FailedRun(0, 0, 3, "InvalidOperationException: boom 3"), failed);
        Assert.Empty(store.PendingRuns(id));
    }

    [Fact]
    public void Lease_ARunWhoseSiloDiesOnEveryAttempt_IsMarkedFailed()
    {
        var database = fixture.NewDatabase();
        var store = Store(database);
        var (id, _) = store.Submit(Spec(1, Scenario(0, "baseline")), 1, maxAttempts: 3);
        using var connection = database.Open();

        // Three silos in turn lease the run and vanish (their 1 s leases expire unrenewed).
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var dying = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(1));
            var lease = Assert.Single(dying.Lease(connection, 1));
            Assert.Equal(attempt, lease.Attempt);
            Thread.Sleep(TimeSpan.FromSeconds(1.2));
        }

        var survivor = new ClusterMember(Guid.NewGuid(), TimeSpan.FromSeconds(30));
        Assert.Empty(survivor.Lease(connection, 1));

        var failed = Assert.Single(store.FailedRuns(id));
        Assert.Equal(3, failed.Attempts);
        Assert.Contains("stopped responding", failed.Error, StringComparison.Ordinal);
        Assert.Equal("failed|3|", Row(database, $"SELECT state, attempt, coalesce(lease_owner::text, '') FROM runs WHERE batch_id = {id}"));
        Assert.Equal(["1|expired", "2|expired"], Rows(database, "SELECT attempt, outcome FROM run_leases WHERE attempt < 3 ORDER BY attempt"));
    }

    [Fact]
    public void Lease_ConcurrentlyFromTwoMembersAndEightThreads_NeverHandsOutARunTwice()
    {
        const int Runs = 200;
        var database = fixture.NewDatabase();
        var (id, _) = Store(database).Submit(Spec(1, Scenario(0, "baseline"), Scenario(1, "other", BaselineText + "\n# other\n")), Runs / 2);
        var members = new[] { new ClusterMember(Guid.NewGuid(), TimeSpan.FromMinutes(5)), new ClusterMember(Guid.NewGuid(), TimeSpan.FromMinutes(5)) };
        var leases = new ConcurrentBag<(Guid Silo, RunLease Lease)>();
        var errors = new ConcurrentBag<Exception>();
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                var member = members[t % 2];
                var random = new Random(t);
                start.SignalAndWait();
                while (true)
                {
                    using var connection = database.Open();
                    var got = member.Lease(connection, random.Next(1, 6));
                    if (got.Count == 0)
                    {
                        return;
                    }

                    foreach (var lease in got)
                    {
                        leases.Add((member.SiloId, lease));
                    }
                }
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a leasing thread did not finish within 60 s"));

        Assert.Empty(errors);
        var keys = leases.Select(l => (l.Lease.Position, l.Lease.Replication)).ToList();
        var duplicates = keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"runs leased more than once: {string.Join(", ", duplicates.Take(10))}");
        Assert.Equal(Runs, keys.Count);
        Assert.All(leases, l => Assert.Equal(1, l.Lease.Attempt));
        Assert.Contains(leases, l => l.Silo == members[0].SiloId);
        Assert.Contains(leases, l => l.Silo == members[1].SiloId);

        // The database agrees with what the members were handed.
        Assert.Equal($"{Runs}|{Runs}|{Runs}", Row(database, $"SELECT count(*) FILTER (WHERE state = 'leased' AND attempt = 1), (SELECT count(*) FROM run_leases), (SELECT count(DISTINCT (position, replication)) FROM run_leases) FROM runs WHERE batch_id = {id}"));
        foreach (var member in members)
        {
            var owned = leases.Count(l => l.Silo == member.SiloId);
            Assert.Equal(owned.ToString(CultureInfo.InvariantCulture), Row(database, $"SELECT count(*) FROM runs WHERE lease_owner = '{member.SiloId}'"));
        }
    }

    private static ClusterStore Store(ClusterDatabase database) => new(database, CancellationToken.None);

    private static BatchScenario Scenario(int position, string name, string? text = null) =>
        new(position, name, [new ScenarioSource($"{name}.yaml", text ?? BaselineText), ShortRun]);

    private static BatchSpec Spec(ulong seed, params BatchScenario[] scenarios) =>
        new(scenarios, 0, seed, ReplicationPolicy.Fixed(3), ["batch", "test"]);

    private static string Counts(ClusterDatabase database) =>
        Row(database, "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_scenarios), (SELECT count(*) FROM scenario_texts), (SELECT count(*) FROM runs), (SELECT count(*) FROM run_leases), (SELECT count(*) FROM results)");

    private static void Execute(ClusterDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static string Row(ClusterDatabase database, string sql) => Assert.Single(Rows(database, sql));

    /// <summary>Every row of a query, its columns joined by '|' (as psql -A prints them; null is empty).</summary>
    private static List<string> Rows(ClusterDatabase database, string sql)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand(sql, connection);
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
}
