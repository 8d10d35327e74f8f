using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Storage;

namespace TradeSim.Grains.Tests.Support;

/// <summary>
/// A real <see cref="SqliteResultStore"/> in a real file, with a record of what the grains asked of it: every result
/// write and its outcome, every attempt started, every failure recorded, every batch load (one per batch grain
/// activation). Every call goes through to the SQLite file unchanged; nothing is faked.
/// </summary>
internal sealed class RecordingResultStore : IResultStore, IDisposable
{
    private readonly SqliteResultStore _inner;
    private readonly ConcurrentQueue<Save> _saves = new();
    private readonly ConcurrentQueue<(RunKey Key, int Attempt, long Timestamp)> _attempts = new();
    private readonly ConcurrentDictionary<long, ManualResetEventSlim> _heldLoads = new();
    private volatile ManualResetEventSlim? _heldLayers;
    private readonly ConcurrentQueue<(RunKey Key, string Error, bool GiveUp)> _failures = new();
    private readonly ConcurrentQueue<RunKey> _returned = new();
    private readonly ConcurrentDictionary<long, int> _loads = new();

    private RecordingResultStore(SqliteResultStore inner, string path)
    {
        _inner = inner;
        Path = path;
    }

    public string Path { get; }

    public string Location => _inner.Location;

    /// <summary>One <see cref="SaveResult"/> call: the run, what the store did, and the silo that executed it.</summary>
    public sealed record Save(RunKey Key, SaveOutcome Outcome, string Silo, byte[] Digest);

    public static RecordingResultStore Create(string path) => new(SqliteResultStore.Open(path, create: true), path);

    public IReadOnlyList<Save> SavesOf(long batch) => _saves.Where(s => s.Key.Batch == batch).ToList();

    /// <summary>Every attempt started at a run of the batch, with its <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public IReadOnlyList<(RunKey Key, int Attempt, long Timestamp)> AttemptsStartedOf(long batch) => _attempts.Where(a => a.Key.Batch == batch).ToList();

    /// <summary>
    /// Makes <see cref="LoadBatch"/> of <paramref name="batch"/> wait (30 s at most) until the returned hold is
    /// disposed: the batch grain's next activation stays in its OnActivateAsync meanwhile.
    /// </summary>
    public IDisposable HoldLoads(long batch)
    {
        var gate = new ManualResetEventSlim(false);
        Assert.True(_heldLoads.TryAdd(batch, gate), $"batch {batch} is held already");
        return new Hold(() =>
        {
            _heldLoads.TryRemove(batch, out _);
            gate.Set();
        });
    }

    public IReadOnlyList<(RunKey Key, string Error, bool GiveUp)> FailuresOf(long batch) => _failures.Where(f => f.Key.Batch == batch).ToList();

    public IReadOnlyList<RunKey> ReturnedOf(long batch) => _returned.Where(k => k.Batch == batch).ToList();

    /// <summary>How often the batch was loaded: once per activation of its grain.</summary>
    public int LoadsOf(long batch) => _loads.GetValueOrDefault(batch);

    /// <summary>The result digest stored for a run, read back from the file with a connection of its own (null when none).</summary>
    public byte[]? StoredDigest(RunKey run)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT digest FROM runs WHERE batch_id = $batch AND position = $position AND replication = $replication";
        select.Parameters.AddWithValue("$batch", run.Batch);
        select.Parameters.AddWithValue("$position", run.Position);
        select.Parameters.AddWithValue("$replication", run.Replication);
        return select.ExecuteScalar() as byte[];
    }

    /// <summary>The silo that the store records as having written a run's result.</summary>
    public string? StoredSilo(RunKey run)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT silo FROM runs WHERE batch_id = $batch AND position = $position AND replication = $replication";
        select.Parameters.AddWithValue("$batch", run.Batch);
        select.Parameters.AddWithValue("$position", run.Position);
        select.Parameters.AddWithValue("$replication", run.Replication);
        return select.ExecuteScalar() as string;
    }

    public (long Id, bool Created) CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc) => _inner.CreateBatch(spec, plannedReplications, createdUtc);

    public BatchRecord LoadBatch(long batchId)
    {
        _loads.AddOrUpdate(batchId, 1, (_, n) => n + 1);
        if (_heldLoads.TryGetValue(batchId, out var gate))
        {
            gate.Wait(TimeSpan.FromSeconds(30));
        }

        return _inner.LoadBatch(batchId);
    }

    public IReadOnlyList<long> RunningBatches(string engineVersion) => _inner.RunningBatches(engineVersion);

    public void SetStatus(long batchId, string status) => _inner.SetStatus(batchId, status);

    public void PlanReplications(long batchId, int replications) => _inner.PlanReplications(batchId, replications);

    /// <summary>
    /// Makes <see cref="ScenarioLayers"/> wait (60 s at most) until the returned hold is disposed: a silo that has not
    /// compiled a scenario yet cannot start its runs meanwhile (its workers wait, as if busy), while a silo that has
    /// them compiled already runs on.
    /// </summary>
    public IDisposable HoldScenarioLayers()
    {
        var gate = new ManualResetEventSlim(false);
        Assert.Null(Interlocked.CompareExchange(ref _heldLayers, gate, null));
        return new Hold(() =>
        {
            _heldLayers = null;
            gate.Set();
        });
    }

    public IReadOnlyList<ScenarioSource> ScenarioLayers(string hash)
    {
        _heldLayers?.Wait(TimeSpan.FromSeconds(60));
        return _inner.ScenarioLayers(hash);
    }

    public IReadOnlyList<RunState> RunStates(long batchId) => _inner.RunStates(batchId);

    public IReadOnlyList<int> StartAttempts(IReadOnlyList<RunKey> runs)
    {
        var attempts = _inner.StartAttempts(runs);
        for (var i = 0; i < runs.Count; i++)
        {
            _attempts.Enqueue((runs[i], attempts[i], System.Diagnostics.Stopwatch.GetTimestamp()));
        }

        return attempts;
    }

    public void ReturnAttempt(RunKey run)
    {
        _inner.ReturnAttempt(run);
        _returned.Enqueue(run);
    }

    public SaveOutcome SaveResult(RunKey run, RunRecord record, RunExecutor silo, double wallMilliseconds, DateTimeOffset finishedUtc)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(silo);
        var outcome = _inner.SaveResult(run, record, silo, wallMilliseconds, finishedUtc);
        _saves.Enqueue(new Save(run, outcome, silo.SiloName, record.Digest));
        return outcome;
    }

    public void RecordFailure(RunKey run, string error, bool giveUp)
    {
        _inner.RecordFailure(run, error, giveUp);
        _failures.Enqueue((run, error, giveUp));
    }

    public IReadOnlyList<StoredRun> FinishedRuns(long batchId, int position, int firstReplication, int replications) => _inner.FinishedRuns(batchId, position, firstReplication, replications);

    public IReadOnlyList<string> KpiNames(long batchId, int position) => _inner.KpiNames(batchId, position);

    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId, int position, int firstReplication, int replications) => _inner.DailyQueues(batchId, position, firstReplication, replications);

    public long UnconservedRuns(long batchId) => _inner.UnconservedRuns(batchId);

    public IReadOnlyList<FailedRun> FailedRuns(long batchId) => _inner.FailedRuns(batchId);

    public void Dispose() => _inner.Dispose();

    private sealed class Hold(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }
}
