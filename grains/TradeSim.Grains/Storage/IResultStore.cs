using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Storage;

/// <summary>
/// Where batches and their results are kept: a SQLite file for the embedded silo, the cluster's PostgreSQL for a
/// cluster (both in silo/TradeSim.Silo, held to one contract test). The grains write through it, and the client reads
/// from it, so a batch reports identically wherever it ran. Implementations are safe to call from several threads;
/// every call is short and synchronous (grains call it off their scheduler).
/// </summary>
public interface IResultStore
{
    /// <summary>Where the results are, for messages (a file path, or a connection string without its password).</summary>
    string Location { get; }

    /// <summary>
    /// Records a new batch with its scenarios and plans its first <paramref name="plannedReplications"/>. Returns the
    /// batch's id, and whether it was created: a cluster store finds an identical batch submitted before (same engine,
    /// seed, policy and scenarios) and creates nothing; the embedded store always creates.
    /// </summary>
    (long Id, bool Created) CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc);

    /// <summary>The batch; throws <see cref="ResultStoreException"/> naming the batches there are when it is not stored.</summary>
    BatchRecord LoadBatch(long batchId);

    /// <summary>Batches stored as running by this engine version: the ones a cluster goes on with after any silo dies.</summary>
    IReadOnlyList<long> RunningBatches(string engineVersion);

    void SetStatus(long batchId, string status);

    /// <summary>Raises the replications a batch plans (precision rounds); planned runs already there stay as they are.</summary>
    void PlanReplications(long batchId, int replications);

    /// <summary>The resolved text of a stored scenario, by its hash.</summary>
    IReadOnlyList<ScenarioSource> ScenarioLayers(string hash);

    /// <summary>Every planned run of a batch with its state and attempts, in replication-then-position order.</summary>
    IReadOnlyList<RunState> RunStates(long batchId);

    /// <summary>
    /// Counts one more attempt for each run (before it is handed to a silo), so that a run that kills every silo it
    /// touches is given up even when the batch's own silo dies with it. Returns the attempt numbers, in order.
    /// The count is additive: dispatches add, <see cref="ReturnAttempt"/> takes back, in any order.
    /// </summary>
    IReadOnlyList<int> StartAttempts(IReadOnlyList<RunKey> runs);

    /// <summary>
    /// Gives an attempt back: the dispatch started no execution (the run was executing already), or the silo released
    /// the run unfinished (it was shutting down). A run no longer pending is left as it is.
    /// </summary>
    void ReturnAttempt(RunKey run);

    /// <summary>
    /// Stores a run's result under its key, once: a second write of the same key keeps the first and reports whether
    /// the bytes were identical (they must be: runs are deterministic). The run is done from then on, and records the
    /// silo that executed it.
    /// </summary>
    SaveOutcome SaveResult(RunKey run, RunRecord record, RunExecutor silo, double wallMilliseconds, DateTimeOffset finishedUtc);

    /// <summary>Records why an attempt failed; with <paramref name="giveUp"/> the run is failed for good.</summary>
    void RecordFailure(RunKey run, string error, bool giveUp);

    /// <summary>
    /// Finished runs of the scenario at <paramref name="position"/> whose replication is from
    /// <paramref name="firstReplication"/> and less than <paramref name="firstReplication"/> + <paramref name="replications"/>,
    /// with their KPIs, in replication order. Readers go through a batch a page of replications at a time
    /// (<see cref="ReplicationPages"/>), so their memory does not grow with the batch.
    /// </summary>
    IReadOnlyList<StoredRun> FinishedRuns(long batchId, int position, int firstReplication, int replications);

    /// <summary>The KPI names of a scenario in the order its runs listed them.</summary>
    IReadOnlyList<string> KpiNames(long batchId, int position);

    /// <summary>Daily mean queue series of finished runs of one scenario in a range of replications (as <see cref="FinishedRuns"/>), ordered by replication, gate.</summary>
    IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId, int position, int firstReplication, int replications);

    /// <summary>Finished runs that did not conserve tonnes (there should be none).</summary>
    long UnconservedRuns(long batchId);

    /// <summary>Runs given up after their last attempt, with the error that stopped them.</summary>
    IReadOnlyList<FailedRun> FailedRuns(long batchId);
}

/// <summary>Where a planned run stands in the store.</summary>
public enum StoredRunState
{
    /// <summary>Not done yet: never started, executing, or waiting to be retried.</summary>
    Pending,
    Done,

    /// <summary>Given up after its last attempt.</summary>
    Failed,
}

/// <summary>A planned run as the store has it: its state, the attempts it has had, and the last error.</summary>
public sealed record RunState(int Position, int Replication, StoredRunState State, int Attempts, string? LastError);

/// <summary>The finished KPIs of one run, as read back from a store.</summary>
public sealed record StoredRun(int Position, int Replication, IReadOnlyDictionary<string, double> Kpis);

/// <summary>A run that failed every attempt: a poison run.</summary>
public sealed record FailedRun(int Position, int Replication, int Attempts, string Error);

/// <summary>What writing a result did.</summary>
public enum SaveOutcome
{
    /// <summary>The first result of the run: stored.</summary>
    Stored,

    /// <summary>A result was stored already, byte for byte the same: nothing changed.</summary>
    IdenticalDuplicate,

    /// <summary>A different result was stored already (runs are not deterministic!): the first is kept.</summary>
    ConflictingDuplicate,
}

/// <summary>A result store that cannot be opened or used, with a message that says which store and why.</summary>
public sealed class ResultStoreException(string message, Exception? inner = null) : Exception(message, inner);
