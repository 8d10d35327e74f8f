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
            var runs = new IReadOnlyList<StoredRun>[scenarios];
            var queues = withQueues ? new IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)>[scenarios] : null;
            for (var s = 0; s < scenarios; s++)
            {
                runs[s] = store.FinishedRuns(batchId, s, first, Size);
                if (queues is not null)
                {
                    queues[s] = store.DailyQueues(batchId, s, first, Size);
                }
            }

            // Each scenario's runs are in replication order: walk them together, keeping the replications all have.
            var next = new int[scenarios];
            var nextQueue = new int[scenarios];
            for (var replication = first; replication < first + Size; replication++)
            {
                var byPosition = new StoredRun[scenarios];
                var complete = true;
                for (var s = 0; s < scenarios; s++)
                {
                    while (next[s] < runs[s].Count && runs[s][next[s]].Replication < replication)
                    {
                        next[s]++;
                    }

                    if (next[s] < runs[s].Count && runs[s][next[s]].Replication == replication)
                    {
                        byPosition[s] = runs[s][next[s]];
                    }
                    else
                    {
                        complete = false;
                    }
                }

                if (!complete)
                {
                    continue;
                }

                IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)>[]? queuesOfReplication = null;
                if (queues is not null)
                {
                    queuesOfReplication = new IReadOnlyList<(int, int, string, float[])>[scenarios];
                    for (var s = 0; s < scenarios; s++)
                    {
                        var ofScenario = new List<(int, int, string, float[])>();
                        while (nextQueue[s] < queues[s].Count && queues[s][nextQueue[s]].Replication <= replication)
                        {
                            if (queues[s][nextQueue[s]].Replication == replication)
                            {
                                ofScenario.Add(queues[s][nextQueue[s]]);
                            }

                            nextQueue[s]++;
                        }

                        queuesOfReplication[s] = ofScenario;
                    }
                }

                yield return new CompleteReplication(replication, byPosition, queuesOfReplication);
            }
        }
    }

    /// <summary>Every finished run of one scenario, in replication order, read a page at a time.</summary>
    public static IEnumerable<StoredRun> FinishedRuns(IResultStore store, long batchId, int position, int plannedReplications)
    {
        ArgumentNullException.ThrowIfNull(store);
        for (var first = 0; first < plannedReplications; first += Size)
        {
            foreach (var run in store.FinishedRuns(batchId, position, first, Size))
            {
                yield return run;
            }
        }
    }
}
