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
/// queues the run on that silo's <see cref="RunWorkerPool"/> and answers at once; the worker executes the replication,
/// writes the result under the run key and the grain reports the outcome to its batch, then deactivates. Orleans keeps
/// one activation per run key, so a run dispatched again while its first dispatch still executes is not executed twice.
/// The store's attempt count of a run is the number of executions started, less those given back unfinished: the batch
/// grain adds one per dispatch, and this grain takes one back for a dispatch that started no execution or was released.
/// </summary>
[PreferLocalPlacement]
internal sealed partial class RunGrain(
    RunWorkerPool pool,
    ReplicationRunner runner,
    IResultStore store,
    ILocalSiloDetails silo,
    IOptions<RunOptions> options,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    /// <summary>Attempts at reporting an outcome to a batch whose silo is unreachable; after them the batch finds it by asking.</summary>
    private const int ReportAttempts = 4;

    private RunGrainState _state = RunGrainState.Idle;
    private int _attempt;
    private RunOutcome? _outcome;

    public Task<ExecuteReply> Execute(RunAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        switch (_state)
        {
            case RunGrainState.Executing:
                // The batch dispatched the run again (it lost track of this dispatch, e.g. it was rebuilt on another
                // silo): no second execution, so the attempt that dispatch counted is given back; the report will
                // carry the newer dispatch number.
                _attempt = Math.Max(_attempt, assignment.Attempt);
                pool.Track(ReturnAttempt(assignment.Key));
                return Task.FromResult(ExecuteReply.AlreadyExecuting);
            case RunGrainState.Finished when _outcome == RunOutcome.Done:
                _attempt = Math.Max(_attempt, assignment.Attempt);
                pool.Track(ReportAsync(assignment.Key, RunOutcome.Done, null));
                return Task.FromResult(ExecuteReply.AlreadyDone);
        }

        _state = RunGrainState.Executing;
        _attempt = assignment.Attempt;
        _outcome = null;
        var work = pool.Enqueue(cancellation => ExecuteOnWorker(assignment, cancellation));
        pool.Track(FinishAsync(assignment, work));
        return Task.FromResult(ExecuteReply.Accepted);
    }

    public Task<RunStatus> Status()
    {
        var status = new RunStatus(_state, _attempt, _outcome, silo.Name, silo.SiloAddress.ToParsableString());
        if (_state == RunGrainState.Idle)
        {
            // Asked about a run it never executed (its silo died): nothing to keep.
            DeactivateOnIdle();
        }

        return Task.FromResult(status);
    }

    /// <summary>
    /// On a run worker: executes the replication and makes its record. Never on Orleans' scheduler. The worker is free
    /// for the next run as soon as this returns; the record is stored by <see cref="FinishAsync"/>.
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
    /// In the grain's context: waits for the worker, stores the result (off the scheduler, while the worker already
    /// runs the next run), gives the slot back, then reports the outcome to the batch.
    /// </summary>
    private async Task FinishAsync(RunAssignment assignment, Task<Executed> work)
    {
        Executed executed;
        try
        {
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
                try
                {
                    var executor = new RunExecutor(silo.Name, silo.SiloAddress.ToParsableString(), Batches.EngineVersion.Current);
                    var saved = await Task.Run(() => store.SaveResult(assignment.Key, record, executor, executed.WallMilliseconds, DateTimeOffset.UtcNow));
                    if (saved != SaveOutcome.Stored)
                    {
                        TradeSimTelemetry.DuplicateResult(saved == SaveOutcome.IdenticalDuplicate);
                        if (saved == SaveOutcome.ConflictingDuplicate)
                        {
                            LogConflictingResult(assignment.Key, assignment.Attempt);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The silo stopped while the store was out of reach: given back, the run is done elsewhere.
                    executed = new Executed(RunOutcome.Released, null, null, 0);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The store refused the result (not an outage, which it rides out): the attempt failed.
                    executed = new Executed(RunOutcome.Failed, null, $"{e.GetType().Name}: {e.Message}", 0);
                }
            }
        }
        finally
        {
            pool.ReleaseSlot();
        }

        var (outcome, error) = (executed.Outcome, executed.Error);
        _state = RunGrainState.Finished;
        _outcome = outcome;
        if (outcome == RunOutcome.Failed)
        {
            LogAttemptFailed(assignment.Key, assignment.ScenarioName, _attempt, error);
        }
        else if (outcome == RunOutcome.Released)
        {
            // Given back unfinished: the attempt does not count. The store is told here, where it is known, so the count
            // is right whichever activation of the batch grain hears the report (or if none does).
            await ReturnAttempt(assignment.Key);
        }

        await ReportAsync(assignment.Key, outcome, error);
        DeactivateOnIdle();
    }

    /// <summary>
    /// Takes back one attempt of the run in the store (off the scheduler). Counting is additive, so it is right in any
    /// order with the batch's own counting, even while two activations of a batch grain overlap.
    /// </summary>
    private Task ReturnAttempt(RunKey key) => Task.Run(() => store.ReturnAttempt(key));

    private async Task ReportAsync(RunKey key, RunOutcome outcome, string? error)
    {
        var batch = GrainFactory.GetGrain<IBatchGrain>(key.Batch);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await batch.Report(new RunReport(key, _attempt, outcome, silo.Name, error));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key}: could not report {Outcome} to its batch ({Reason}); the batch will find it when it checks on the run")]
    private partial void LogReportLost(RunKey key, RunOutcome outcome, string reason);

    /// <summary>What a worker made of a run: its outcome, its record when it finished, the error when it threw.</summary>
    private sealed record Executed(RunOutcome Outcome, RunRecord? Record, string? Error, double WallMilliseconds);
}
