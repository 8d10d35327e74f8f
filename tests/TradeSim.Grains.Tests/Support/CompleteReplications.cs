using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Tests.Support;

/// <summary>What <see cref="ReplicationPages.Complete"/> yields from a store, built from runs in memory: the replications every scenario finished, in order.</summary>
internal static class CompleteReplications
{
    public static IEnumerable<CompleteReplication> Of(IEnumerable<StoredRun> runs, int scenarios) =>
        runs.GroupBy(r => r.Replication)
            .Where(g => g.Select(r => r.Position).Distinct().Count() == scenarios)
            .OrderBy(g => g.Key)
            .Select(g => new CompleteReplication(g.Key, [.. g.OrderBy(r => r.Position)], null));
}
