namespace TradeSim.Grains.Abstractions;

/// <summary>
/// One batch (key: its id in the result store): plans its replications (a fixed number, or `--precision` rounds),
/// hands its runs to the silos that claim work, re-dispatches the runs of a silo that died, marks a run failed after a
/// bounded number of attempts, and completes the batch. Its state is rebuilt from the result store whenever it
/// activates, so it survives the death of its own silo: the next call (a client following it, or a silo claiming
/// work) activates it elsewhere.
/// </summary>
public interface IBatchGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Starts the batch, or resumes it (status `running`), and returns its progress. Activation reads every scenario's
    /// resolved text from the store: a sensitivity design of some 2,000 scenarios took over 15 s on a loaded 2-core
    /// machine, so the start may take a minute.
    /// </summary>
    [ResponseTimeout("00:01:00")]
    Task<BatchProgress> Start();

    /// <summary>The batch's progress; interleaved (it only reads), so following a batch never waits behind its work.</summary>
    [ResponseTimeout("00:00:10")]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<BatchProgress> Progress();

    /// <summary>Stops handing out runs and marks the batch `interrupted` (finished runs are kept; Start resumes it).</summary>
    [ResponseTimeout("00:00:10")]
    Task<BatchProgress> Interrupt();

    /// <summary>
    /// Up to <paramref name="count"/> runs for a silo with that many free workers; none when the engine versions differ.
    /// A run on its last attempt goes only to a silo that holds no run (<paramref name="siloIdle"/>), and alone.
    /// </summary>
    [ResponseTimeout("00:00:10")]
    Task<IReadOnlyList<RunAssignment>> Claim(RunExecutor executor, int count, bool siloIdle);

    /// <summary>How an attempt at one of the batch's runs ended.</summary>
    [ResponseTimeout("00:00:10")]
    Task Report(RunReport report);
}

/// <summary>
/// The batches that are running (key 0): the silos ask it which batches to claim runs from. A batch grain enrols
/// its batch when it starts and withdraws it when the batch completes or is interrupted. In a cluster it is rebuilt
/// from the result store (every batch of this engine version stored as `running`), so batches go on after any silo dies.
/// </summary>
public interface IBatchBoardGrain : IGrainWithIntegerKey
{
    [ResponseTimeout("00:00:10")]
    Task<IReadOnlyList<long>> RunningBatches();

    [ResponseTimeout("00:00:10")]
    Task Enrol(long batch);

    [ResponseTimeout("00:00:10")]
    Task Withdraw(long batch);
}
