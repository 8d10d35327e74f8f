namespace TradeSim.Grains.Abstractions;

/// <summary>
/// A silo that executes runs, as it introduces itself when it claims work: its name, its Orleans address and the
/// engine version it runs (a batch is run only by silos of the engine version that created it, because results are
/// bit-identical only within one version).
/// </summary>
[GenerateSerializer]
[Alias("TradeSim.RunExecutor")]
public sealed record RunExecutor([property: Id(0)] string SiloName, [property: Id(1)] string SiloAddress, [property: Id(2)] string EngineVersion);

/// <summary>
/// A run handed to a silo to execute: its key, the attempt (1 for the first dispatch, raised by every re-dispatch),
/// and what it needs to run: the master seed and the stored scenario's name and text hash. A run on its last attempt
/// executes <see cref="Alone"/>: its silo takes no other run while it holds it.
/// </summary>
[GenerateSerializer]
[Alias("TradeSim.RunAssignment")]
public sealed record RunAssignment(
    [property: Id(0)] RunKey Key,
    [property: Id(1)] int Attempt,
    [property: Id(2)] ulong Seed,
    [property: Id(3)] string ScenarioName,
    [property: Id(4)] string ScenarioHash,
    [property: Id(5)] RunExecutor Executor,
    [property: Id(6)] bool Alone);

/// <summary>What a run grain answers when it is asked to execute a run.</summary>
[GenerateSerializer]
[Alias("TradeSim.ExecuteReply")]
public enum ExecuteReply
{
    /// <summary>Queued on the grain's silo; the grain reports the outcome to the batch when it is known.</summary>
    Accepted = 0,

    /// <summary>The run is executing already (an earlier dispatch of it is alive); this dispatch is dropped.</summary>
    AlreadyExecuting = 1,

    /// <summary>The run's result is stored already; the grain reported it again to the batch.</summary>
    AlreadyDone = 2,
}

/// <summary>How an attempt at a run ended.</summary>
[GenerateSerializer]
[Alias("TradeSim.RunOutcome")]
public enum RunOutcome
{
    /// <summary>The result is stored (written now, or found stored by an earlier attempt).</summary>
    Done = 0,

    /// <summary>The run threw: a poison candidate, retried until its attempts are used up.</summary>
    Failed = 1,

    /// <summary>The silo gave the run back unfinished (it is shutting down): no failure is counted.</summary>
    Released = 2,
}

/// <summary>A run grain's report to its batch: which attempt ended how, on which silo, and the error of a failure.</summary>
[GenerateSerializer]
[Alias("TradeSim.RunReport")]
public sealed record RunReport(
    [property: Id(0)] RunKey Key,
    [property: Id(1)] int Attempt,
    [property: Id(2)] RunOutcome Outcome,
    [property: Id(3)] string SiloName,
    [property: Id(4)] string? Error);

/// <summary>What a run grain is doing.</summary>
[GenerateSerializer]
[Alias("TradeSim.RunGrainState")]
public enum RunGrainState
{
    /// <summary>Nothing: a fresh activation (e.g. the silo that executed the run died).</summary>
    Idle = 0,

    Executing = 1,

    /// <summary>Finished one way or another; see the <see cref="RunOutcome"/>.</summary>
    Finished = 2,
}

/// <summary>A run grain's state as its batch sees it when it checks on a run.</summary>
[GenerateSerializer]
[Alias("TradeSim.RunStatus")]
public sealed record RunStatus(
    [property: Id(0)] RunGrainState State,
    [property: Id(1)] int Attempt,
    [property: Id(2)] RunOutcome? Outcome,
    [property: Id(3)] string SiloName,
    [property: Id(4)] string SiloAddress);

/// <summary>The runs of a batch that one silo executes now and has finished (in this activation of the batch).</summary>
[GenerateSerializer]
[Alias("TradeSim.SiloShare")]
public sealed record SiloShare([property: Id(0)] string SiloName, [property: Id(1)] int Executing, [property: Id(2)] int Done);

/// <summary>
/// A batch's progress: its status (running, complete, interrupted), the planned runs and how many are done, failed
/// for good, executing and waiting, the silos executing them, and the silos that asked for work but run another
/// engine version (they never run this batch: results are bit-identical only within one version). Wall-clock data is
/// not part of it.
/// </summary>
[GenerateSerializer]
[Alias("TradeSim.BatchProgress")]
public sealed record BatchProgress(
    [property: Id(0)] long Batch,
    [property: Id(1)] string Status,
    [property: Id(2)] int Scenarios,
    [property: Id(3)] int PlannedReplications,
    [property: Id(4)] int Done,
    [property: Id(5)] int Failed,
    [property: Id(6)] int Executing,
    [property: Id(7)] int Waiting,
    [property: Id(8)] IReadOnlyList<SiloShare> Silos,
    [property: Id(9)] IReadOnlyList<RunExecutor> OtherEngineSilos)
{
    public int PlannedRuns => Scenarios * PlannedReplications;

    /// <summary>Done or failed for good: nothing more will happen to these runs.</summary>
    public int Finished => Done + Failed;
}
