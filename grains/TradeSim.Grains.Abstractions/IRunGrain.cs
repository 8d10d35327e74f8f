namespace TradeSim.Grains.Abstractions;

/// <summary>
/// One run of a batch (key: <see cref="RunKey.GrainKey"/>): executes one deterministic replication on its silo's
/// bounded pool of run workers, off Orleans' scheduler, writes the result under the run key (a duplicate execution
/// writes identical bytes, so at-least-once execution gives exactly one result) and reports the outcome to its batch.
/// Every call returns at once: nobody waits on a run.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Queues the run on this silo, unless it is executing or done already.</summary>
    [ResponseTimeout("00:00:10")]
    Task<ExecuteReply> Execute(RunAssignment assignment);

    /// <summary>
    /// What the grain is doing; a fresh activation (its silo died) is <see cref="RunGrainState.Idle"/>. Interleaved, so
    /// a batch can ask while the grain is reporting to that batch (no call cycle can deadlock).
    /// </summary>
    [ResponseTimeout("00:00:10")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<RunStatus> Status();
}
