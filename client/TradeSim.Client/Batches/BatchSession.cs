using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Client.Batches;

/// <summary>Gets a batch's pending runs done: on the embedded silo, or by waiting for the cluster's silos.</summary>
internal interface IPendingRunExecutor
{
    /// <summary>Whether the runs go on without this process (a cluster), so stopping the client does not interrupt the batch.</summary>
    bool RunsWithoutClient { get; }

    /// <summary>Returns when every given run is finished (or failed for good), or when cancelled.</summary>
    void RunPending(BatchRecord batch, IReadOnlyList<RunKey> pending, BatchProgress progress, CancellationToken cancellation);
}

/// <summary>Runs pending runs on the embedded silo and writes each to the SQLite store as it finishes.</summary>
internal sealed class EmbeddedExecutor(SqliteResultStore store, BatchRunner runner, int workers) : IPendingRunExecutor
{
    public bool RunsWithoutClient => false;

    public void RunPending(BatchRecord batch, IReadOnlyList<RunKey> pending, BatchProgress progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(progress);
        runner.Run(batch.Spec, pending, workers, run =>
        {
            var r = run.Result;
            store.SaveRun(batch.Id, run.Key.Position, run.Key.Replication, RunKpis.Extract(r), RunKpis.DailyQueues(r), r.Conservation.Balances, run.WallMilliseconds, DateTimeOffset.UtcNow);
            progress.Advance();
        }, cancellation);
    }
}

/// <summary>
/// Drives a stored batch to the end: gets its pending runs done, and with `--precision` plans further rounds until
/// the rule is met or the maximum is reached. Stopping (Ctrl-C) leaves the batch `interrupted` with every finished
/// run kept; running the session again finishes it.
/// </summary>
internal sealed class BatchSession(IBatchStore store, IPendingRunExecutor executor, BatchProgress progress)
{
    /// <returns>True when the batch is complete; false when it was interrupted.</returns>
    public bool Run(long batchId, CancellationToken cancellation)
    {
        store.SetStatus(batchId, BatchStatus.Running);
        var loaded = store.LoadBatch(batchId);
        using var activity = TradeSimTelemetry.StartBatch(batchId, loaded.Spec.Scenarios.Select(s => s.Name), loaded.PlannedReplications);
        while (true)
        {
            var batch = store.LoadBatch(batchId);
            var pending = store.PendingRuns(batchId).Select(p => new RunKey(p.Position, p.Replication)).ToList();
            if (pending.Count > 0)
            {
                var total = batch.PlannedReplications * batch.Spec.Scenarios.Count;
                progress.Start(total - pending.Count, total);
                executor.RunPending(batch, pending, progress, cancellation);
                progress.Stop();
                if (cancellation.IsCancellationRequested && store.PendingRuns(batchId).Count > 0)
                {
                    if (!executor.RunsWithoutClient)
                    {
                        store.SetStatus(batchId, BatchStatus.Interrupted);
                    }

                    activity?.SetTag("interrupted", true);
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
            var target = PrecisionRule.NextTarget(headline, precision, batch.PlannedReplications, batch.Spec.Policy.MaxReplications);
            store.PlanReplications(batchId, target);
            activity?.SetTag("replications", target);
        }

        store.SetStatus(batchId, BatchStatus.Complete);
        return true;
    }
}
