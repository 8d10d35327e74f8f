using System.Collections.Concurrent;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;

namespace TradeSim.Grains.Tests.Support;

/// <summary>
/// What each run of a batch must store, computed here by <see cref="ReplicationRunner"/> directly (no grain, no
/// store): the record of the scenario's replication under the batch's seed. Cached per scenario hash, seed and replication.
/// </summary>
internal static class ExpectedRuns
{
    private static readonly ReplicationRunner Runner = new();
    private static readonly ConcurrentDictionary<(string Hash, ulong Seed, int Replication), RunRecord> Records = new();

    public static RunRecord Of(BatchScenario scenario, ulong seed, int replication) =>
        Records.GetOrAdd((scenario.Hash, seed, replication), _ => RunRecord.Of(Runner.Run(scenario.Layers, seed, replication, CancellationToken.None)!));

    public static RunRecord Of(BatchSpec spec, int position, int replication) => Of(spec.Scenarios[position], spec.Seed, replication);
}
