namespace TradeSim.Grains.Storage;

/// <summary>One replication finished in every scenario of a batch: its runs by scenario position, and optionally their daily queues.</summary>
public sealed record CompleteReplication(
    int Replication,
    IReadOnlyList<StoredRun> RunsByPosition,
    IReadOnlyList<IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)>>? QueuesByPosition);

/// <summary>
/// Reads a batch's results a page of replications at a time, so what reads them (the comparison, the precision rule,
/// the export) holds one page, whether the batch has ten replications or a hundred thousand.
/// </summary>
public static class ReplicationPages
{
    /// <summary>Replications a page holds, in every scenario.</summary>
    public const int Size = 64;

    /// <summary>
    /// The replications finished in every scenario (the ones a paired comparison can use), in replication order,
    /// up to the batch's planned replications.
    /// </summary>
    public static IEnumerable<CompleteReplication> Complete(IResultStore store, long batchId, int scenarios, int plannedReplications, bool withQueues)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var first = 0; first < plannedReplications; first += Size)
        {
            // One page of every scenario, by replication; a replication is complete when every scenario has it.
            var runs = new Dictionary<int, StoredRun>[scenarios];
            var queues = withQueues ? new ILookup<int, (int Position, int Replication, string Gate, float[] MeanQueue)>[scenarios] : null;
            for (var s = 0; s < scenarios; s++)
            {
                runs[s] = store.FinishedRuns(batchId, s, first, Size).ToDictionary(r => r.Replication);
                if (queues is not null)
                {
                    queues[s] = store.DailyQueues(batchId, s, first, Size).ToLookup(q => q.Replication);
                }
            }

            for (var replication = first; replication < first + Size; replication++)
            {
                if (runs.Any(r => !r.ContainsKey(replication)))
                {
                    continue;
                }

                yield return new CompleteReplication(
                    replication,
                    [.. runs.Select(r => r[replication])],
                    queues is null ? null : [.. queues.Select(q => (IReadOnlyList<(int, int, string, float[])>)[.. q[replication]])]);
            }
        }
    }

    /// <summary>Every finished run of one scenario, in replication order, read a page at a time.</summary>
    public static IEnumerable<StoredRun> FinishedRuns(IResultStore store, long batchId, int position, int plannedReplications)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Paged(plannedReplications, first => store.FinishedRuns(batchId, position, first, Size));
    }

    /// <summary>Every daily queue series of one scenario's finished runs, by replication and gate, read a page at a time.</summary>
    public static IEnumerable<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(IResultStore store, long batchId, int position, int plannedReplications)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Paged(plannedReplications, first => store.DailyQueues(batchId, position, first, Size));
    }

    private static IEnumerable<T> Paged<T>(int plannedReplications, Func<int, IReadOnlyList<T>> page)
    {
        for (var first = 0; first < plannedReplications; first += Size)
        {
            foreach (var item in page(first))
            {
                yield return item;
            }
        }
    }
}
