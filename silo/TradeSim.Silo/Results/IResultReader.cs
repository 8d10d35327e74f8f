using TradeSim.Silo.Batches;

namespace TradeSim.Silo.Results;

/// <summary>
/// What reporting needs from a place that keeps batches: the embedded SQLite file or the cluster's PostgreSQL.
/// Both answer the same questions the same way, so a batch reports identically wherever it ran.
/// </summary>
public interface IResultReader
{
    /// <summary>Where the results are, for messages (a file path, or a connection string without its password).</summary>
    string Location { get; }

    BatchRecord LoadBatch(long batchId);

    /// <summary>Planned runs not yet finished (pending or running), in replication-then-scenario order.</summary>
    IReadOnlyList<(int Position, int Replication)> PendingRuns(long batchId);

    /// <summary>Finished runs with their KPIs, ordered by scenario position then replication.</summary>
    IReadOnlyList<StoredRun> FinishedRuns(long batchId);

    /// <summary>The KPI names of a scenario in the order its runs listed them.</summary>
    IReadOnlyList<string> KpiNames(long batchId, int position);

    /// <summary>Daily mean queue series of finished runs, ordered by position, replication, gate.</summary>
    IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId);

    long UnconservedRuns(long batchId);

    /// <summary>Runs given up after their last attempt, with the error that stopped them (none in the embedded store).</summary>
    IReadOnlyList<FailedRun> FailedRuns(long batchId);
}

/// <summary>A run that failed every attempt: a poison run.</summary>
public sealed record FailedRun(int Position, int Replication, int Attempts, string Error);

/// <summary>A reader that also plans work and records a batch's state: what a batch session drives.</summary>
public interface IBatchStore : IResultReader
{
    void SetStatus(long batchId, string status);

    void PlanReplications(long batchId, int replications);
}
