using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;

namespace TradeSim.Grains.Runs;

/// <summary>
/// A silo's side of the work: while the silo is active, asks the board for running batches and each batch for as many
/// runs as the silo has free workers, and hands each run to its run grain (placed on this silo). It waits for a worker
/// to free up, or polls when there was nothing to do. Runs go where workers are free, so a silo never executes more
/// than <see cref="RunOptions.Workers"/> runs at once and a faster or idler silo takes more.
/// When the silo stops, it stops claiming first, then cancels the runs in progress and waits (a few seconds at most)
/// until each has been given back to its batch, which hands it to another silo at once.
/// </summary>
public sealed partial class RunClaimer(
    IGrainFactory grains,
    RunWorkerPool pool,
    Storage.IResultStore store,
    ILocalSiloDetails silo,
    IOptions<RunOptions> options,
    ILogger<RunClaimer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a stopping silo waits for its given-back runs to reach their batches.</summary>
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The pause after a failed attempt to claim (a batch's silo died, the board is moving).</summary>
    private static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(1);

    /// <summary>How long the list of running batches is used before the board is asked again (sooner when idle).</summary>
    private static readonly TimeSpan BoardRefresh = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        observer.Subscribe(nameof(RunClaimer), ServiceLifecycleStage.Active, Start, Stop);
    }

    private Task Start(CancellationToken cancellation)
    {
        _loop = Task.Run(() => ClaimLoop(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(ReleaseTimeout, cancellation);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // A claim in flight to an unreachable batch: abandoned (its runs are not executed here).
        }

        var executing = pool.Busy;
        pool.Stop();
        try
        {
            await pool.WhenReported().WaitAsync(ReleaseTimeout, cancellation);
            LogReleased(silo.Name, executing);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogReleaseTimedOut(silo.Name, ReleaseTimeout.TotalSeconds);
        }
    }

    private async Task ClaimLoop(CancellationToken stopping)
    {
        var executor = new RunExecutor(silo.Name, silo.SiloAddress.ToParsableString(), EngineVersion.Current);
        var board = grains.GetGrain<IBatchBoardGrain>(0);
        var failing = new HashSet<long>();
        var boardFailing = false;
        IReadOnlyList<long> batches = [];
        var askedBoard = long.MinValue;
        var idle = true;
        while (!stopping.IsCancellationRequested)
        {
            var freed = pool.NextFreedWorker();
            var claimed = 0;
            if (pool.Free > 0)
            {
                try
                {
                    // While runs keep coming, the list of batches is reused for a second: one grain call less per run.
                    if (idle || Stopwatch.GetElapsedTime(askedBoard) > BoardRefresh)
                    {
                        batches = await board.RunningBatches();
                        askedBoard = Stopwatch.GetTimestamp();
                    }

                    if (boardFailing)
                    {
                        LogClaimingAgain(silo.Name, "the board");
                        boardFailing = false;
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException && !stopping.IsCancellationRequested)
                {
                    // One line per outage, not one per attempt.
                    if (!boardFailing)
                    {
                        LogClaimFailed(silo.Name, "the board", e.GetType().Name, FirstLine(e.Message));
                        boardFailing = true;
                    }

                    await Pause(ErrorPause, stopping);
                    continue;
                }

                foreach (var batch in batches)
                {
                    var free = pool.Free;
                    if (free <= 0 || stopping.IsCancellationRequested)
                    {
                        break;
                    }

                    // A batch that cannot be reached (its silo died, its store is down) does not hold up the others.
                    try
                    {
                        claimed += await ClaimFrom(grains.GetGrain<IBatchGrain>(batch), executor, free);
                        if (failing.Remove(batch))
                        {
                            LogClaimingAgain(silo.Name, $"batch {batch}");
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException && !stopping.IsCancellationRequested)
                    {
                        if (failing.Add(batch))
                        {
                            LogClaimFailed(silo.Name, $"batch {batch}", e.GetType().Name, FirstLine(e.Message));
                        }
                    }
                }

                idle = claimed == 0;
                if (failing.Count > 0 && claimed == 0)
                {
                    await Pause(ErrorPause, stopping);
                    continue;
                }
            }

            if (pool.Free <= 0 || claimed == 0)
            {
                // Full: wait for a worker. Idle: look again shortly (a new batch, a precision round, a run to retry).
                try
                {
                    await freed.WaitAsync(options.Value.IdlePollInterval, stopping);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Claims up to <paramref name="free"/> runs of one batch and hands each to its run grain. A run whose grain cannot
    /// be reached is given back at once (its attempt returned), rather than left for the batch to find lost.
    /// </summary>
    private async Task<int> ClaimFrom(IBatchGrain batch, RunExecutor executor, int free)
    {
        var handed = 0;
        foreach (var assignment in await batch.Claim(executor, free, siloIdle: pool.Busy == 0))
        {
            try
            {
                await grains.GetGrain<IRunGrain>(assignment.Key.GrainKey).Execute(assignment);
                handed++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHandOffFailed(assignment.Key, e.GetType().Name, FirstLine(e.Message));
                await Task.Run(() => store.ReturnAttempt(assignment.Key));
                await batch.Report(new RunReport(assignment.Key, assignment.Attempt, RunOutcome.Released, silo.Name, null));
            }
        }

        return handed;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static async Task Pause(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "silo {Silo} stopping: gave back {Runs} runs in progress or queued")]
    private partial void LogReleased(string silo, int runs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "silo {Silo} stopping: runs given back were not all reported within {Seconds} s; their batches will find them lost")]
    private partial void LogReleaseTimedOut(string silo, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "silo {Silo} cannot claim runs from {Source} ({Error}: {Reason}); trying again every second")]
    private partial void LogClaimFailed(string silo, string source, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "silo {Silo} claims runs from {Source} again")]
    private partial void LogClaimingAgain(string silo, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {Key} could not be handed to its grain ({Error}: {Reason}); given back to its batch")]
    private partial void LogHandOffFailed(RunKey key, string error, string reason);
}
