using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Telemetry;

namespace TradeSim.Grains.Runs;

/// <summary>
/// One run of a batch. It is placed on the silo whose <see cref="RunClaimer"/> asked for it (prefer-local placement),
/// queues the run on that silo's <see cref="RunWorkerPool"/> and answers at once; a worker executes the replication,
/// then the result is written under the run key, the outcome reported to the batch and the slot given back (so the
/// runs a silo holds, as its batches count them, never exceed its workers and queue-ahead), and the grain deactivates. Orleans keeps one activation per run key, so a run dispatched again while its first dispatch
/// still executes is not executed twice.
/// </summary>
/// <remarks>
/// <para>
/// What follows the run (storing, giving the slot back, reporting) runs on the thread pool, not in the activation:
/// Orleans may deactivate an activation while its run executes (it does so when the silo holding the activation's
/// directory entry leaves), and none of that may be lost with it. The silo's pool also records the run as in flight
/// until its outcome is known, so a new activation of the grain on this silo answers for a run an earlier one started
/// (executing, under the newest dispatch number) instead of executing it again.
/// </para>
/// <para>
/// The store's attempt count of a run is the number of executions started, less those given back unfinished: the
/// batch grain adds one per dispatch, and this grain takes one back for a dispatch that started no execution or was
/// released.
/// </para>
/// </remarks>
[PreferLocalPlacement]
internal sealed partial class RunGrain(
    RunWorkerPool pool,
    IGrainFactory grains,
    ReplicationRunner runner,
    IResultStore store,
    ILocalSiloDetails silo,
    IOptions<RunOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>Attempts at reporting an outcome to a batch whose silo is unreachable; after them the batch finds it by asking.</summary>
    private const int ReportAttempts = 4;

    private RunGrainState _state = RunGrainState.Idle;

    /// <summary>The run this activation started, shared with the silo's record of runs in flight.</summary>
    private RunInFlight? _run;
    private RunOutcome? _outcome;

    public Task<ExecuteReply> Execute(RunAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        switch (_state)
        {
            case RunGrainState.Executing:
                return Task.FromResult(AlreadyExecuting(_run!, assignment));
            case RunGrainState.Finished when _outcome == RunOutcome.Done:
                var done = new RunInFlight(assignment.Attempt);
                pool.Track(Task.Run(() => ReportAsync(assignment.Key, done, RunOutcome.Done, null)));
                return Task.FromResult(ExecuteReply.AlreadyDone);
        }

        if (pool.InFlight(assignment.Key) is { } running)
        {
            // An earlier activation of this grain started the run on this silo and was deactivated since; the run goes on.
            return Task.FromResult(AlreadyExecuting(running, assignment));
        }

        _state = RunGrainState.Executing;
        _outcome = null;
        var run = _run = pool.Remember(assignment.Key, assignment.Attempt);
        var work = pool.Enqueue(cancellation => ExecuteOnWorker(assignment, cancellation), assignment.Alone);
        var settled = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = Task.Run(() => CompleteAsync(assignment, run, work, settled));
        pool.Track(finished);
        _ = RememberAsync(settled.Task, finished);
        return Task.FromResult(ExecuteReply.Accepted);
    }

    public Task<RunStatus> Status()
    {
        if (_state == RunGrainState.Idle && pool.InFlight(RunKey.Parse(this.GetPrimaryKeyString())) is { } running)
        {
            // Started by an earlier activation on this silo, and still executing.
            return Task.FromResult(new RunStatus(RunGrainState.Executing, running.Attempt, null, silo.Name, silo.SiloAddress.ToParsableString()));
        }

        var status = new RunStatus(_state, _run?.Attempt ?? 0, _outcome, silo.Name, silo.SiloAddress.ToParsableString());
        if (_state == RunGrainState.Idle)
        {
            // Asked about a run it never executed (its silo died): nothing to keep.
            DeactivateOnIdle();
        }

        return Task.FromResult(status);
    }

    /// <summary>
    /// The batch dispatched a run that executes here already (it lost track of the first dispatch, e.g. it was rebuilt
    /// on another silo): no second execution, so the attempt this dispatch counted is given back; the outcome will be
    /// reported under the newer dispatch number.
    /// </summary>
    private ExecuteReply AlreadyExecuting(RunInFlight run, RunAssignment assignment)
    {
        run.Adopt(assignment.Attempt);
        pool.Track(Task.Run(() => store.ReturnAttempt(assignment.Key)));
        return ExecuteReply.AlreadyExecuting;
    }

    /// <summary>
    /// On a run worker: executes the replication and makes its record. Never on Orleans' scheduler. The worker is free
    /// for the next run as soon as this returns; <see cref="CompleteAsync"/> stores the record.
    /// </summary>
    private Executed ExecuteOnWorker(RunAssignment assignment, CancellationToken cancellation)
    {
        if (options.Value.CrashOnScenario is { } crash && assignment.ScenarioName == crash)
        {
            Environment.FailFast($"fault injection: {RunOptions.CrashOnScenarioVariable}={crash}");
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var network = runner.CompileStored(assignment.ScenarioHash, () => store.ScenarioLayers(assignment.ScenarioHash));
            var result = ReplicationRunner.Run(network, assignment.Seed, assignment.Key.Replication, cancellation);
            return result is null
                ? new Executed(RunOutcome.Released, null, null, 0)
                : new Executed(RunOutcome.Done, RunRecord.Of(result), null, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return new Executed(RunOutcome.Released, null, null, 0);
        }
        catch (Exception e)
        {
            // A run that throws is a poison candidate: its batch retries it, then gives it up.
            return new Executed(RunOutcome.Failed, null, $"{e.GetType().Name}: {e.Message}", 0);
        }
    }

    /// <summary>
    /// On the thread pool (started by Task.Run, so its awaits resume there, not in the activation): waits for the
    /// worker, stores the result (the worker runs the next run meanwhile), takes back the attempt of a released run,
    /// reports the outcome to the batch, and then gives the slot back.
    /// </summary>
    private async Task CompleteAsync(RunAssignment assignment, RunInFlight run, Task<Executed> work, TaskCompletionSource<RunOutcome> settled)
    {
        var outcome = RunOutcome.Released;

        // Once the outcome is known the run no longer executes here: a dispatch that comes while it is reported (a
        // released run handed back to this silo) starts it again rather than being told it executes. Idempotent.
        void Settle(RunOutcome known)
        {
            settled.TrySetResult(known);
            pool.Forget(assignment.Key, run);
        }

        try
        {
            Executed executed;
            try
            {
                executed = await work;
            }
            catch (OperationCanceledException)
            {
                // The silo stopped before a worker took the run.
                executed = new Executed(RunOutcome.Released, null, null, 0);
            }

            if (executed.Record is { } record)
            {
                executed = Store(assignment, record, executed);
            }

            if (executed.Outcome == RunOutcome.Failed)
            {
                LogAttemptFailed(assignment.Key, assignment.ScenarioName, run.Attempt, executed.Error);
            }
            else if (executed.Outcome == RunOutcome.Released)
            {
                // Given back unfinished: the attempt does not count. The store is told here, where it is known, so the
                // count is right whichever activation of the batch grain hears the report (or if none does).
                store.ReturnAttempt(assignment.Key);
            }

            outcome = executed.Outcome;
            Settle(outcome);
            await ReportAsync(assignment.Key, run, executed.Outcome, executed.Error);
        }
        finally
        {
            Settle(outcome);
            pool.ReleaseSlot(assignment.Alone);
        }
    }

    private Executed Store(RunAssignment assignment, RunRecord record, Executed executed)
    {
        try
        {
            var executor = new RunExecutor(silo.Name, silo.SiloAddress.ToParsableString(), Batches.EngineVersion.Current);
            var saved = store.SaveResult(assignment.Key, record, executor, executed.WallMilliseconds, DateTimeOffset.UtcNow);
            if (saved != SaveOutcome.Stored)
            {
                TradeSimTelemetry.DuplicateResult(saved == SaveOutcome.IdenticalDuplicate);
                if (saved == SaveOutcome.ConflictingDuplicate)
                {
                    LogConflictingResult(assignment.Key, assignment.Attempt);
                }
            }

            return executed;
        }
        catch (OperationCanceledException)
        {
            // The silo stopped while the store was out of reach: given back, the run is done elsewhere.
            return new Executed(RunOutcome.Released, null, null, 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The store refused the result (not an outage, which it rides out): the attempt failed.
            return new Executed(RunOutcome.Failed, null, $"{e.GetType().Name}: {e.Message}", 0);
        }
    }

    /// <summary>
    /// In the activation, if it is still there: remembers the outcome as soon as it is known (for <see cref="Status"/>,
    /// and so a dispatch that comes while it is reported is answered, not executed again), and deactivates once it has
    /// been reported.
    /// </summary>
    private async Task RememberAsync(Task<RunOutcome> settled, Task finished)
    {
        var outcome = await settled;
        _state = RunGrainState.Finished;
        _outcome = outcome;
        try
        {
            await finished;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not expected (storing and reporting handle their failures): the batch finds the run when it checks on it.
            LogFollowUpFailed(this.GetPrimaryKeyString(), e);
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    private async Task ReportAsync(RunKey key, RunInFlight run, RunOutcome outcome, string? error)
    {
        // The silo's grain factory, not the activation's: this runs off the activation (Grain.GrainFactory refuses that).
        var batch = grains.GetGrain<IBatchGrain>(key.Batch);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await batch.Report(new RunReport(key, run.Attempt, outcome, silo.Name, error));
                return;
            }
            catch (Exception e) when (attempt < ReportAttempts && e is not OutOfMemoryException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The result, if any, is stored: the batch learns it from the store or by asking this grain.
                LogReportLost(key, outcome, e.Message);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key} ({Scenario}) attempt {Attempt} failed: {Error}")]
    private partial void LogAttemptFailed(RunKey key, string scenario, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "run {Key} attempt {Attempt}: a different result was stored already; the first is kept. Runs must be deterministic: this is a bug")]
    private partial void LogConflictingResult(RunKey key, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "run {Key}: what follows the run failed")]
    private partial void LogFollowUpFailed(string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key}: could not report {Outcome} to its batch ({Reason}); the batch will find it when it checks on the run")]
    private partial void LogReportLost(RunKey key, RunOutcome outcome, string reason);

    /// <summary>What a worker made of a run: its outcome, its record when it finished, the error when it threw.</summary>
    private sealed record Executed(RunOutcome Outcome, RunRecord? Record, string? Error, double WallMilliseconds);
}
