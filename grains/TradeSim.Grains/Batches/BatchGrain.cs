using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Telemetry;

namespace TradeSim.Grains.Batches;

/// <summary>
/// One batch. Its state is the result store's: on activation it reads the batch and every run's state, asks the run
/// grains of runs that were executing whether they still are, and goes on from there; so the batch survives the
/// death of its own silo, and the next call (a client following it, or a silo claiming work) activates it elsewhere.
/// Silos with free workers claim runs; each dispatch counts an attempt in the store before the run leaves, so a run
/// that kills every silo it touches is given up even when this grain dies with those silos. A silo that Orleans'
/// membership declares dead loses its runs, which are dispatched again at once. When every planned run is done or
/// failed, a precision batch plans its next round or completes.
/// </summary>
internal sealed partial class BatchGrain(IResultStore store, IClusterMembershipService membership, RunWorkerPool localWorkers, ILogger<BatchGrain> logger) : Grain, IBatchGrain
{
    /// <summary>How often the batch looks at its silos' membership, at quiet runs and at completion.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>An executing run with no news for this long is checked on by asking its grain.</summary>
    private static readonly TimeSpan QuietBeforeCheck = TimeSpan.FromSeconds(15);

    private readonly long _activated = Stopwatch.GetTimestamp();
    private BatchRecord _batch = null!;
    private RunLedger _ledger = null!;
    private string _status = string.Empty;
    private IGrainTimer? _timer;
    private bool _inFlightChecked;
    private bool _deactivating;
    private readonly Dictionary<string, RunExecutor> _otherEngines = new(StringComparer.Ordinal);

    private long Id => this.GetPrimaryKeyLong();

    private TimeSpan Now => Stopwatch.GetElapsedTime(_activated);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _batch = await Offload(() => store.LoadBatch(Id));
        _status = _batch.Status;
        var states = await Offload(() => store.RunStates(Id));
        _ledger = new RunLedger(Id, _batch.Spec.Scenarios.Count, _batch.MaxAttempts);
        _ledger.Plan(_batch.PlannedReplications);
        _ledger.Load(states);
        LogActivated(Id, _status, _ledger.Done, _ledger.Failed, _ledger.Waiting);
        if (_status == BatchStatus.Running)
        {
            await GoOn();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The store holds everything: a new activation (here or on another silo) goes on from it.
        _deactivating = true;
        StopTimer();
        LogDeactivated(Id, reason.ReasonCode.ToString(), reason.Description);
        return Task.CompletedTask;
    }

    public async Task<BatchProgress> Start()
    {
        if (_status != BatchStatus.Complete)
        {
            if (_status != BatchStatus.Running)
            {
                await Offload(() => store.SetStatus(Id, BatchStatus.Running));
                _status = BatchStatus.Running;
            }

            await GoOn();
            await Advance();
        }

        return Snapshot();
    }

    public Task<BatchProgress> Progress() => Task.FromResult(Snapshot());

    public async Task<BatchProgress> Interrupt()
    {
        if (_status == BatchStatus.Running)
        {
            await Offload(() => store.SetStatus(Id, BatchStatus.Interrupted));
            _status = BatchStatus.Interrupted;
            StopTimer();
            await GrainFactory.GetGrain<IBatchBoardGrain>(0).Withdraw(Id);
        }

        return Snapshot();
    }

    public async Task<IReadOnlyList<RunAssignment>> Claim(RunExecutor executor, int count, bool siloIdle)
    {
        ArgumentNullException.ThrowIfNull(executor);
        if (executor.EngineVersion != _batch.EngineVersion)
        {
            if (_otherEngines.TryAdd(executor.SiloName, executor))
            {
                LogOtherEngine(Id, executor.SiloName, executor.EngineVersion, _batch.EngineVersion);
            }

            return [];
        }

        if (_status != BatchStatus.Running || count <= 0 || _deactivating || IsLeaving(executor))
        {
            return [];
        }

        var exhausted = new List<RunKey>();
        var keys = _ledger.Eligible(count, Now, exhausted, siloIdle);
        foreach (var key in exhausted)
        {
            var error = _ledger.GiveUp(key, DiedEveryAttempt);
            await Offload(() => store.RecordFailure(key, error, giveUp: true));
            LogGivenUp(key, _ledger.AttemptsOf(key), error);
        }

        if (keys.Count == 0)
        {
            if (exhausted.Count > 0)
            {
                await Advance();
            }

            return [];
        }

        var attempts = await Offload(() => store.StartAttempts(keys));
        var assignments = new RunAssignment[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            var scenario = _batch.Spec.Scenarios[keys[i].Position];
            _ledger.Dispatched(keys[i], attempts[i], executor, Now);
            assignments[i] = new RunAssignment(keys[i], attempts[i], _batch.Spec.Seed, scenario.Name, scenario.Hash, executor, _ledger.IsLastAttempt(attempts[i]));
        }

        TradeSimTelemetry.RunsDispatched(keys.Count);
        return assignments;
    }

    public async Task Report(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        switch (report.Outcome)
        {
            case RunOutcome.Done:
                _ledger.MarkDone(report.Key, report.SiloName);
                break;
            case RunOutcome.Failed:
                var error = report.Error ?? "failed";
                if (_ledger.AttemptFailed(report.Key, report.Attempt, error, Now + RunLedger.RetryBackoff(report.Attempt)) is { } gaveUp)
                {
                    await Offload(() => store.RecordFailure(report.Key, error, gaveUp));
                    if (gaveUp)
                    {
                        LogGivenUp(report.Key, report.Attempt, error);
                    }
                }

                break;
            case RunOutcome.Released:
                // The run grain gave the attempt back in the store already.
                _ledger.Released(report.Key, report.Attempt, Now);
                break;
        }

        await Advance();
    }

    /// <summary>The error of a run given up because every silo that executed it died.</summary>
    private const string DiedEveryAttempt = "its silo died while executing it, on every attempt (killed, or frozen past failure detection)";

    /// <summary>Resumes dispatching: enrols the batch on the board, checks runs that may be in flight, ticks.</summary>
    private async Task GoOn()
    {
        if (!_inFlightChecked)
        {
            _inFlightChecked = true;
            await FindRunsInFlight();
        }

        await GrainFactory.GetGrain<IBatchBoardGrain>(0).Enrol(Id);
        localWorkers.AnnounceWork();
        _timer ??= this.RegisterGrainTimer(static (grain, _) => grain.Tick(), this, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { KeepAlive = true });
    }

    /// <summary>
    /// After a rebuild, runs that had attempts but are not done may still execute on a silo that is alive (this grain's
    /// silo died, theirs did not): their grains say so, and they are followed instead of dispatched twice.
    /// </summary>
    private async Task FindRunsInFlight()
    {
        var candidates = _ledger.WaitingWithAttempts();
        if (candidates.Count == 0)
        {
            return;
        }

        var statuses = await Task.WhenAll(candidates.Select(c => AskQuietly(c.Key)));
        for (var i = 0; i < candidates.Count; i++)
        {
            switch (statuses[i])
            {
                case { State: RunGrainState.Executing } s:
                    _ledger.FoundExecuting(candidates[i].Key, s.Attempt, s.SiloName, s.SiloAddress, Now);
                    break;
                case { State: RunGrainState.Finished, Outcome: RunOutcome.Done } s:
                    _ledger.MarkDone(candidates[i].Key, s.SiloName);
                    break;
            }
        }
    }

    private async Task Tick()
    {
        if (_status != BatchStatus.Running)
        {
            return;
        }

        await CollectFromDeadSilos();
        await CheckQuietRuns();
        await Advance();
    }

    /// <summary>
    /// Whether Orleans' membership has the claiming silo leaving or dead: such a silo (a frozen one resumed after it was
    /// declared dead, say, in the moments before it stops itself) gets no runs.
    /// </summary>
    private bool IsLeaving(RunExecutor executor) =>
        membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(executor.SiloAddress)).IsTerminating();

    /// <summary>Runs on silos that Orleans' membership declared dead are lost: each is an attempt failed, dispatched again at once.</summary>
    private async Task CollectFromDeadSilos()
    {
        var snapshot = membership.CurrentSnapshot;
        foreach (var address in _ledger.ExecutingSilos())
        {
            if (snapshot.GetSiloStatus(SiloAddress.FromParsableString(address)) != SiloStatus.Dead)
            {
                continue;
            }

            foreach (var (key, attempt) in _ledger.ExecutingOn(address))
            {
                TradeSimTelemetry.RunLost();
                await Lost(key, attempt, $"its silo {address} died while executing it (killed, or frozen past failure detection)");
            }
        }
    }

    /// <summary>Asks the grains of runs with no news for a while what they do; a run whose grain knows nothing of it is lost.</summary>
    private async Task CheckQuietRuns()
    {
        var quiet = _ledger.Stale(Now, QuietBeforeCheck);
        if (quiet.Count == 0)
        {
            return;
        }

        var statuses = await Task.WhenAll(quiet.Select(q => AskQuietly(q.Key)));
        for (var i = 0; i < quiet.Count; i++)
        {
            var (key, attempt) = quiet[i];
            switch (statuses[i])
            {
                case null:
                    // No answer this time (its silo may be dying): membership or the next check decides.
                    break;
                case { State: RunGrainState.Executing }:
                    _ledger.Heard(key, Now);
                    break;
                case { State: RunGrainState.Finished, Outcome: RunOutcome.Done } s:
                    _ledger.MarkDone(key, s.SiloName);
                    break;
                default:
                    await Lost(key, attempt, "its run grain no longer knew of it (its report was lost)");
                    break;
            }
        }
    }

    private async Task Lost(RunKey key, int attempt, string error)
    {
        if (_ledger.AttemptFailed(key, attempt, error, Now) is { } gaveUp)
        {
            var recorded = gaveUp ? DiedEveryAttempt : error;
            await Offload(() => store.RecordFailure(key, recorded, gaveUp));
            LogLost(key, attempt, error);
            if (gaveUp)
            {
                LogGivenUp(key, attempt, recorded);
            }
        }
    }

    /// <summary>When every planned run is finished: plans a precision round, or completes the batch.</summary>
    private async Task Advance()
    {
        if (_status != BatchStatus.Running || !_ledger.AllFinished)
        {
            return;
        }

        var policy = _batch.Spec.Policy;
        if (policy.Precision is { } precision && _ledger.PlannedReplications < policy.MaxReplications)
        {
            var planned = _ledger.PlannedReplications;
            var spreads = (await Offload(() => PrecisionRule.Judged(store, Id, _batch.Spec.Scenarios.Count, planned, policy.PrecisionKpis))).Select(j => j.Spread).ToList();
            if (!PrecisionRule.IsMet(spreads, precision, policy.AbsoluteTolerance))
            {
                var target = PrecisionRule.NextTarget(spreads, precision, _ledger.PlannedReplications, policy.MaxReplications, policy.AbsoluteTolerance);
                await Offload(() => store.PlanReplications(Id, target));
                _ledger.Plan(target);
                localWorkers.AnnounceWork();
                LogRound(Id, target);
                return;
            }
        }

        await Offload(() => store.SetStatus(Id, BatchStatus.Complete));
        _status = BatchStatus.Complete;
        StopTimer();
        await GrainFactory.GetGrain<IBatchBoardGrain>(0).Withdraw(Id);
        LogComplete(Id, _ledger.Done, _ledger.Failed);
    }

    private async Task<RunStatus?> AskQuietly(RunKey key)
    {
        try
        {
            return await GrainFactory.GetGrain<IRunGrain>(key.GrainKey).Status();
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or OperationCanceledException)
        {
            return null;
        }
    }

    private BatchProgress Snapshot() => new(
        Id,
        _status,
        _batch.Spec.Scenarios.Count,
        _ledger.PlannedReplications,
        _ledger.Done,
        _ledger.Failed,
        _ledger.Executing,
        _ledger.Waiting,
        _ledger.Shares(),
        [.. _otherEngines.Values]);

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>Store calls run on the thread pool, off the grain's scheduler; the grain resumes on its own afterwards.</summary>
    private static Task<T> Offload<T>(Func<T> call) => Task.Run(call);

    private static Task Offload(Action call) => Task.Run(call);

    [LoggerMessage(Level = LogLevel.Information, Message = "batch {Batch} activated ({Status}): {Done} runs done, {Failed} failed, {Waiting} to run")]
    private partial void LogActivated(long batch, string status, int done, int failed, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "batch {Batch}: silo {Silo} runs engine {SiloEngine}, the batch engine {BatchEngine}: it will not run this batch (results are bit-identical only within one engine version)")]
    private partial void LogOtherEngine(long batch, string silo, string siloEngine, string batchEngine);

    [LoggerMessage(Level = LogLevel.Information, Message = "batch {Batch} deactivated ({Reason}: {Description})")]
    private partial void LogDeactivated(long batch, string reason, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key} attempt {Attempt} lost: {Reason}; dispatching it again")]
    private partial void LogLost(RunKey key, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key} given up after {Attempts} attempts: {Error}")]
    private partial void LogGivenUp(RunKey key, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "batch {Batch}: precision not reached, planning {Replications} replications")]
    private partial void LogRound(long batch, int replications);

    [LoggerMessage(Level = LogLevel.Information, Message = "batch {Batch} complete: {Done} runs done, {Failed} failed")]
    private partial void LogComplete(long batch, int done, int failed);
}
