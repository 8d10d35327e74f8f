using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;

namespace TradeSim.Client.Batches;

/// <summary>
/// Drives a stored batch to the end: runs its pending runs on the embedded silo, writes each finished run to the store
/// as it arrives, and with `--precision` plans further rounds until the rule is met or the maximum is reached. Stopping
/// (Ctrl-C) leaves the batch `interrupted` with every finished run kept; running the session again finishes it.
/// </summary>
internal sealed class BatchSession(SqliteResultStore store, BatchRunner runner, BatchProgress progress)
{
    /// <returns>True when the batch is complete; false when it was interrupted.</returns>
    public bool Run(long batchId, int workers, CancellationToken cancellation)
    {
        store.SetStatus(batchId, BatchStatus.Running);
        while (true)
        {
            var batch = store.LoadBatch(batchId);
            var pending = store.PendingRuns(batchId).Select(p => new RunKey(p.Position, p.Replication)).ToList();
            if (pending.Count > 0)
            {
                var total = batch.PlannedReplications * batch.Spec.Scenarios.Count;
                progress.Start(total - pending.Count, total);
                runner.Run(batch.Spec, pending, workers, run => Save(batchId, run, progress), cancellation);
                progress.Stop();
                if (cancellation.IsCancellationRequested && store.PendingRuns(batchId).Count > 0)
                {
                    store.SetStatus(batchId, BatchStatus.Interrupted);
                    return false;
                }
            }

            if (batch.Spec.Policy.Precision is not { } precision || batch.PlannedReplications >= batch.Spec.Policy.MaxReplications)
            {
                break;
            }

            var comparison = BatchComparison.Build(store, batchId);
            if (comparison.PrecisionReached)
            {
                break;
            }

            var headline = comparison.Scenarios.SelectMany(s => s.Kpis).Where(k => RunKpis.IsHeadline(k.Kpi)).Select(k => k.Stats);
            store.PlanReplications(batchId, PrecisionRule.NextTarget(headline, precision, batch.PlannedReplications, batch.Spec.Policy.MaxReplications));
        }

        store.SetStatus(batchId, BatchStatus.Complete);
        return true;
    }

    private void Save(long batchId, FinishedRun run, BatchProgress bar)
    {
        var r = run.Result;
        store.SaveRun(batchId, run.Key.Position, run.Key.Replication, RunKpis.Extract(r), RunKpis.DailyQueues(r), r.Conservation.Balances, run.WallMilliseconds, DateTimeOffset.UtcNow);
        bar.Advance();
    }
}
