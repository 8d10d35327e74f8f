using TradeSim.Silo.Batches;
using TradeSim.Silo.Cluster;

namespace TradeSim.Client.Batches;

/// <summary>
/// Follows a batch that the cluster's silos run: polls its counts (twice a second), shows progress and the living
/// silos when they change, and warns when no silo is alive. The silos do the work; this only watches.
/// </summary>
internal sealed class ClusterExecutor(ClusterStore store, string connectionForHints) : IPendingRunExecutor
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan NoSiloWarningAfter = TimeSpan.FromSeconds(10);

    public bool RunsWithoutClient => true;

    public void RunPending(BatchRecord batch, IReadOnlyList<RunKey> pending, BatchProgress progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(progress);
        var shownSilos = string.Empty;
        var lastAlive = DateTime.UtcNow;
        var warned = false;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var counts = store.Batches(batch.Id).Single();
                progress.Update((int)(counts.Done + counts.Failed));
                var alive = store.Silos().Where(s => s.Alive).ToList();
                var silos = alive.Count == 0 ? "none" : string.Join(", ", alive.Select(s => $"{s.Name} ({s.Workers} workers, {s.RunsDone} runs done)"));
                if (alive.Count > 0)
                {
                    lastAlive = DateTime.UtcNow;
                    warned = false;
                }

                if (silos != shownSilos && alive.Count > 0)
                {
                    progress.Note($"living silos: {silos}");
                    shownSilos = silos;
                }
                else if (alive.Count == 0 && !warned && DateTime.UtcNow - lastAlive > NoSiloWarningAfter)
                {
                    progress.Note($"no living silo in the cluster: start one with `tradesim-silo --cluster \"{connectionForHints}\"` (or scripts/cluster.sh start)");
                    warned = true;
                    shownSilos = string.Empty;
                }

                if (counts.Pending + counts.Leased == 0)
                {
                    return;
                }

                cancellation.WaitHandle.WaitOne(PollInterval);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }
}
