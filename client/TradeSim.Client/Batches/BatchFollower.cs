using System.Diagnostics;
using Orleans.Runtime;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Batches;

/// <summary>How following a batch ended.</summary>
internal enum FollowOutcome
{
    /// <summary>Every planned run is done or failed for good.</summary>
    Complete,

    /// <summary>Stopped by the user: the embedded batch was interrupted, or the client stopped following a cluster batch.</summary>
    Stopped,
}

/// <summary>
/// Starts (or resumes) a batch on its batch grain and follows it to the end: polls its progress, draws the progress
/// bar, and in a cluster shows the silos executing it. The same code follows the embedded silo and a cluster. Every
/// call is short (no caller waits on a run); a call that fails because the batch's silo died is retried, and the retry
/// activates the batch grain on a living silo, where it rebuilds itself from the result store.
/// </summary>
internal sealed class BatchFollower(IGrainFactory grains, BatchProgressBar progress, bool inCluster)
{
    /// <summary>A cluster batch that cannot be reached for this long gets a warning (its silo may be dead, or every silo).</summary>
    private static readonly TimeSpan UnreachableWarningAfter = TimeSpan.FromSeconds(10);

    private string _shownSilos = string.Empty;
    private readonly HashSet<string> _shownOtherEngines = new(StringComparer.Ordinal);

    /// <summary>The batch's last progress seen.</summary>
    public BatchProgress? Last { get; private set; }

    /// <summary>
    /// Follows batch <paramref name="id"/> until it completes or <paramref name="cancellation"/> fires. On cancellation
    /// an embedded batch is interrupted (status `interrupted`, finished runs kept); a cluster batch goes on.
    /// </summary>
    public async Task<FollowOutcome> Follow(long id, CancellationToken cancellation)
    {
        var batch = grains.GetGrain<IBatchGrain>(id);
        var poll = inCluster ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromMilliseconds(100);
        var p = await Call(batch.Start, cancellation);
        if (p is null)
        {
            return FollowOutcome.Stopped;
        }

        Last = p;
        progress.Start(p.Finished, p.PlannedRuns);
        try
        {
            while (p.Status == BatchStatus.Running)
            {
                try
                {
                    await Task.Delay(poll, cancellation);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                var next = await Call(batch.Progress, cancellation);
                if (next is null)
                {
                    break;
                }

                p = next;
                Last = p;
                progress.Update(p.Finished, p.PlannedRuns);
                if (inCluster)
                {
                    await ShowSilos(p);
                }
            }
        }
        finally
        {
            progress.Stop();
        }

        if (p.Status == BatchStatus.Complete)
        {
            return FollowOutcome.Complete;
        }

        if (!inCluster)
        {
            // Ctrl-C on the embedded silo: stop handing out runs and keep what is finished.
            Last = await batch.Interrupt();
        }

        return FollowOutcome.Stopped;
    }

    /// <summary>A call to the batch, retried (every half second) while its silo cannot be reached; null when cancelled.</summary>
    private async Task<BatchProgress?> Call(Func<Task<BatchProgress>> call, CancellationToken cancellation)
    {
        var failingSince = (long?)null;
        var warned = false;
        while (true)
        {
            try
            {
                return await call().WaitAsync(cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (inCluster && e is not OutOfMemoryException)
            {
                // A silo dying, a batch grain moving, the database restarting: all pass. Say so if it lasts.
                failingSince ??= Stopwatch.GetTimestamp();
                if (!warned && Stopwatch.GetElapsedTime(failingSince.Value) > UnreachableWarningAfter)
                {
                    progress.Note($"the batch cannot be reached ({e.GetType().Name}: {FirstLine(e.Message)}); retrying until a living silo takes it over");
                    warned = true;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }
    }

    /// <summary>Notes the living silos and their share of the batch when they change.</summary>
    private async Task ShowSilos(BatchProgress p)
    {
        string[] alive;
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
            alive = [.. hosts.Select(h => h.SiloName).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Only a display: the membership table may be out of reach for a moment (a database restart).
            return;
        }

        foreach (var other in p.OtherEngineSilos.Where(o => _shownOtherEngines.Add(o.SiloName)))
        {
            progress.Note($"silo {other.SiloName} runs engine {other.EngineVersion}, not the one that created this batch: it will not run its runs (results are bit-identical only within one engine version; start silos built from the same version)");
        }

        var shares = p.Silos.ToDictionary(s => s.SiloName, StringComparer.Ordinal);
        var text = alive.Length == 0
            ? "none"
            : string.Join(", ", alive.Select(name => shares.TryGetValue(name, out var s) ? $"{name} ({s.Executing} executing, {s.Done} done)" : $"{name} (idle)"));
        var names = string.Join(",", alive);
        if (names != _shownSilos)
        {
            progress.Note($"living silos: {text}");
            _shownSilos = names;
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
