using TradeSim.Grains.Storage;

namespace TradeSim.Tests.Shared;

/// <summary>A test's view of everything a store holds for a batch, in the order the store used to list it (position, replication).</summary>
internal static class StoredResults
{
    public static IReadOnlyList<StoredRun> AllFinishedRuns(this IResultStore store, long batchId) =>
        [.. Positions(store, batchId).SelectMany(p => store.FinishedRuns(batchId, p, 0, int.MaxValue))];

    public static IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> AllDailyQueues(this IResultStore store, long batchId) =>
        [.. Positions(store, batchId).SelectMany(p => store.DailyQueues(batchId, p, 0, int.MaxValue))];

    // The planned runs' positions (not LoadBatch: tests count the batch grain's loads).
    private static IEnumerable<int> Positions(IResultStore store, long batchId) => store.RunStates(batchId).Select(r => r.Position).Distinct().Order();
}
