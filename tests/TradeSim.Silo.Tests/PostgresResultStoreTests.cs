using TradeSim.Kernel;
using System.Collections.Concurrent;
using Npgsql;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Storage;
using TradeSim.Silo.Tests.Support;
using static TradeSim.Silo.Tests.Support.StoreData;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>
/// What only the cluster store does: a batch submitted again is found by its fingerprint, runs record the silo that
/// wrote them, the listings of `cluster status`, and calls that wait out a restart of the server.
/// </summary>
public sealed class PostgresResultStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private const string CountRows =
        "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_scenarios), (SELECT count(*) FROM scenario_texts), (SELECT count(*) FROM runs), (SELECT count(*) FROM results)";

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(90));

    public void Dispose() => _timeout.Dispose();

    [Fact]
    public void CreateBatch_TheSameBatchAgain_FindsTheFirst_AndCreatesNothing()
    {
        var database = postgres.NewDatabase();
        var store = Store(database);
        var spec = Spec(scenarios: 2);

        var first = store.CreateBatch(spec, 3, Created);
        store.SaveResult(Key(first.Id, 0, 0), Record(), SiloA, 1, Created);
        var before = Sql.Row(database.ConnectionString, CountRows);
        var again = store.CreateBatch(spec with { Options = ["batch", "another", "command", "line"] }, 3, Created.AddDays(1));
        var third = Store(database).CreateBatch(Spec(scenarios: 2), 5, Created.AddDays(2));

        Assert.Equal((first.Id, true), first);
        Assert.Equal((first.Id, false), again);
        Assert.Equal((first.Id, false), third);
        Assert.Equal("1|2|2|6|1", before);
        Assert.Equal(before, Sql.Row(database.ConnectionString, CountRows));
        var batch = store.LoadBatch(first.Id);
        Assert.Equal((Created, 3), (batch.CreatedUtc, batch.PlannedReplications));
        Assert.Equal(spec.Options, batch.Spec.Options);

        // Another seed is another batch; the scenario texts it shares are stored once.
        var reseeded = store.CreateBatch(Spec(scenarios: 2, seed: 43), 3, Created);
        Assert.True(reseeded.Created);
        Assert.NotEqual(first.Id, reseeded.Id);
        Assert.Equal("2|4|2|12|1", Sql.Row(database.ConnectionString, CountRows));
    }

    [Fact]
    public void CreateBatch_TheSameBatchFromSeveralThreadsAtOnce_CreatesOneBatch()
    {
        const int Threads = 6;
        var database = postgres.NewDatabase();
        var spec = Spec(scenarios: 2, seed: 7);
        using var start = new Barrier(Threads);
        var results = new ConcurrentBag<(long Id, bool Created)>();
        var errors = new ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            try
            {
                var store = Store(database);
                start.SignalAndWait();
                results.Add(store.CreateBatch(spec, 2, Created));
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a CreateBatch did not return within 60 s"));

        Assert.Empty(errors);
        Assert.Equal(Threads, results.Count);
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Equal("1|2|2|4|0", Sql.Row(database.ConnectionString, CountRows));
    }

    [Fact]
    public void Fingerprint_ChangesWithSeedPolicyAndScenarios_NotWithTheCommandLineOrLayerNames()
    {
        var spec = Spec(scenarios: 2);
        var fingerprint = PostgresResultStore.Fingerprint(spec);

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        Assert.Equal(fingerprint, PostgresResultStore.Fingerprint(Spec(scenarios: 2)));
        Assert.Equal(fingerprint, PostgresResultStore.Fingerprint(spec with { Options = ["--cluster", "Host=elsewhere"] }));
        var renamedLayers = new BatchScenario(1, spec.Scenarios[1].Name, spec.Scenarios[1].Layers.Select(l => l with { Name = "../somewhere/else/" + l.Name }).ToList());
        Assert.Equal(fingerprint, PostgresResultStore.Fingerprint(spec with { Scenarios = [spec.Scenarios[0], renamedLayers] }));

        var different = new Dictionary<string, BatchSpec>
        {
            ["seed"] = spec with { Seed = 43 },
            ["scenario text"] = Spec(scenarios: 2, variant: " (edited)"),
            ["an override layer"] = spec with { Scenarios = [spec.Scenarios[0], new BatchScenario(1, spec.Scenarios[1].Name, [spec.Scenarios[1].Layers[0], new ScenarioSource("--set", "settings:\n  warmup_days: 9\n")])] },
            ["scenario name"] = spec with { Scenarios = [spec.Scenarios[0], spec.Scenarios[1] with { Name = "renamed" }] },
            ["baseline"] = spec with { BaselinePosition = 1 },
            ["replications"] = spec with { Policy = ReplicationPolicy.Fixed(5) },
            ["precision"] = spec with { Policy = new ReplicationPolicy(3, 3, 0.05) },
            ["scenario order"] = spec with { Scenarios = [spec.Scenarios[1] with { Position = 0 }, spec.Scenarios[0] with { Position = 1 }] },
            ["scenario count"] = Spec(scenarios: 3),
        };
        foreach (var (what, changed) in different)
        {
            Assert.True(PostgresResultStore.Fingerprint(changed) != fingerprint, $"changing the {what} kept the fingerprint");
        }

        Assert.Equal(different.Count, different.Values.Select(PostgresResultStore.Fingerprint).Distinct().Count());
    }

    [Fact]
    public void SaveResult_RecordsTheSiloAndTheDigestOfWhatItWrote()
    {
        var database = postgres.NewDatabase();
        var store = Store(database);
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        var record = Record();

        store.SaveResult(Key(id, 0, 0), record, SiloA, 12.5, Created.AddMinutes(3));
        store.SaveResult(Key(id, 0, 0), record, SiloB, 99, Created.AddMinutes(9));

        Assert.Equal(
            $"done|silo-a|{SiloA.SiloAddress}|12.5|true|{Created.AddMinutes(3).UtcDateTime:yyyy-MM-dd HH:mm:ss}",
            Sql.Row(database.ConnectionString, $"SELECT state, silo, silo_address, wall_ms, conserved, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM runs WHERE batch_id = {id}"));
        Assert.Equal(Convert.ToHexStringLower(record.Digest), Sql.Row(database.ConnectionString, $"SELECT encode(digest, 'hex') FROM results WHERE batch_id = {id}"));
    }

    [Fact]
    public void SaveResult_SeriesOfDifferentLengths_AreRefused_NotGarbled()
    {
        // The series are kept end to end in one bytea and cut into equal parts when read: series of different
        // lengths would come back cut in the wrong places (the embedded store keeps them: see SqliteResultStoreTests).
        var database = postgres.NewDatabase();
        var store = Store(database);
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);

        var e = Assert.Throws<ArgumentException>(() => store.SaveResult(Key(id, 0, 0), Record(Record().Kpis, [("a", [1f, 2f, 3f]), ("b", []), ("c", [4f])]), SiloA, 1, Created));

        Assert.Contains("a: 3, b: 0, c: 1", e.Message, StringComparison.Ordinal);
        Assert.Empty(store.AllDailyQueues(id));
        Assert.Equal(StoredRunState.Pending, Assert.Single(store.RunStates(id)).State);

        Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(id, 0, 0), Record(Record().Kpis, [("a", [1f, 2f]), ("b", [3f, 4f])]), SiloA, 1, Created));
        Assert.Equal([("a", new[] { 1f, 2f }), ("b", [3f, 4f])], store.AllDailyQueues(id).Select(q => (q.Gate, q.MeanQueue)));
    }

    [Fact]
    public void Batches_And_RunsDoneBySilo_CountWhatTheRunsAre()
    {
        var database = postgres.NewDatabase();
        var store = Store(database);
        var (a, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);
        var (b, _) = store.CreateBatch(Spec(scenarios: 1, seed: 8), 1, Created.AddHours(1));
        store.SaveResult(Key(a, 0, 0), Record(), SiloA, 1, Created);
        store.SaveResult(Key(a, 1, 0), Record(), SiloA, 1, Created);
        store.SaveResult(Key(a, 0, 1), Record(), SiloB, 1, Created);
        store.RecordFailure(Key(a, 1, 1), "boom", giveUp: true);
        store.SetStatus(b, BatchStatus.Interrupted);

        Assert.Equal(
            [
                new BatchCounts(a, BatchStatus.Running, Created, 2, 2, Pending: 0, Done: 3, Failed: 1),
                new BatchCounts(b, BatchStatus.Interrupted, Created.AddHours(1), 1, 1, Pending: 1, Done: 0, Failed: 0),
            ],
            store.Batches());
        Assert.Equal([b], store.Batches(b).Select(c => c.Id));
        Assert.Empty(store.Batches(99));
        Assert.Equal(
            new Dictionary<string, long> { [SiloA.SiloAddress] = 2, [SiloB.SiloAddress] = 1 },
            store.RunsDoneBySilo());
    }

    [Fact]
    public async Task WithRetry_WhileTheServerRestarts_RetriesUntilItIsBack()
    {
        // The fixture's server is this class's alone, and the tests of one class run one at a time.
        var database = postgres.NewDatabase();
        var retries = 0;
        var (id, _) = Store(database).CreateBatch(Spec(scenarios: 1), 2, Created);

        postgres.Server.Stop();
        var waiting = Task.Run(() => database.WithRetry(
            connection =>
            {
                using var count = new NpgsqlCommand($"SELECT count(*) FROM runs WHERE batch_id = {id}", connection);
                return (long)count.ExecuteScalar()!;
            },
            _timeout.Token,
            (_, _) => Interlocked.Increment(ref retries)));
        try
        {
            // Wait until the call has met the stopped server (a bounded poll, not a guess at how long that takes).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref retries) == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }

            Assert.True(Volatile.Read(ref retries) > 0, "the call never retried while the server was stopped");
            Assert.False(waiting.IsCompleted, "the call returned while the server was stopped");
        }
        finally
        {
            postgres.Server.Start();
        }

        // WaitAsync throws TimeoutException when the call does not return within 30 s of the server's start.
        Assert.Equal(2L, await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Calls_WhileTheServerIsDown_StopWhenTheStoreIsCancelled()
    {
        var database = postgres.NewDatabase();
        using var cancellation = new CancellationTokenSource();
        var store = new PostgresResultStore(database, cancellation.Token);
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);

        postgres.Server.Stop();
        try
        {
            // Cancelled while it waits to retry, the call throws OperationCanceledException; cancelled while it tries
            // to connect, the connection's own failure. Either way it gives up rather than retrying for ever.
            cancellation.CancelAfter(TimeSpan.FromMilliseconds(500));
            var e = Assert.ThrowsAny<Exception>(() => store.RunStates(id));
            Assert.True(e is OperationCanceledException or NpgsqlException, $"expected the call to give up, it threw {e}");
        }
        finally
        {
            postgres.Server.Start();
        }

        Assert.Equal(SaveOutcome.Stored, Store(database).SaveResult(Key(id, 0, 0), Record(), SiloA, 1, Created));
    }

    private PostgresResultStore Store(ClusterDatabase database) => new(database, _timeout.Token);
}
