using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Tests.Shared;

namespace TradeSim.Grains.Tests.Support;

/// <summary>Assertions on what a batch left in its store.</summary>
internal static class BatchAssert
{
    public static IReadOnlyList<RunKey> Keys(long batch, int scenarios, int replications) =>
        Enumerable.Range(0, replications).SelectMany(r => Enumerable.Range(0, scenarios).Select(p => new RunKey(batch, p, r))).ToList();

    /// <summary>
    /// Every planned run of the batch is done and its result was stored exactly once (further writes, if
    /// <paramref name="identicalDuplicatesAllowed"/>, only as identical duplicates), and what is stored is, bit for
    /// bit, what <see cref="Runs.ReplicationRunner"/> computes directly for the same seed and replication.
    /// </summary>
    public static void EveryRunStoredOnceAsComputedDirectly(RecordingResultStore store, BatchSpec spec, long batch, int replications, bool identicalDuplicatesAllowed)
    {
        var keys = Keys(batch, spec.Scenarios.Count, replications);
        var saves = store.SavesOf(batch);
        var stored = saves.Where(s => s.Outcome == SaveOutcome.Stored).Select(s => s.Key).OrderBy(k => (k.Position, k.Replication)).ToList();
        Assert.True(keys.OrderBy(k => (k.Position, k.Replication)).SequenceEqual(stored), $"batch {batch}: expected each of the {keys.Count} runs stored once, got {stored.Count} first writes: {string.Join(", ", stored)}");
        Assert.DoesNotContain(saves, s => s.Outcome == SaveOutcome.ConflictingDuplicate);
        if (!identicalDuplicatesAllowed)
        {
            Assert.True(saves.Count == keys.Count, $"batch {batch}: {saves.Count - keys.Count} runs executed again: {string.Join(", ", saves.Where(s => s.Outcome != SaveOutcome.Stored).Select(s => s.Key))}");
        }

        var states = store.RunStates(batch);
        Assert.Equal(keys.Count, states.Count);
        Assert.All(states, s => Assert.Equal(StoredRunState.Done, s.State));
        Assert.Equal(0, store.UnconservedRuns(batch));
        Assert.Empty(store.FailedRuns(batch));

        var finished = store.AllFinishedRuns(batch);
        Assert.Equal(keys.Count, finished.Count);
        foreach (var run in finished)
        {
            var expected = ExpectedRuns.Of(spec, run.Position, run.Replication);
            var key = new RunKey(batch, run.Position, run.Replication);
            // A KPI without data in the run (NaN) is read back as absent, never as a number.
            Assert.Equal(expected.Kpis.Count(k => !double.IsNaN(k.Value)), run.Kpis.Count);
            foreach (var kpi in expected.Kpis.Where(k => !double.IsNaN(k.Value)))
            {
                Assert.True(run.Kpis.TryGetValue(kpi.Name, out var value), $"run {key}: KPI {kpi.Name} not stored");
                Assert.True(
                    BitConverter.DoubleToInt64Bits(kpi.Value) == BitConverter.DoubleToInt64Bits(value),
                    $"run {key}: {kpi.Name} stored {value:R}, computed directly {kpi.Value:R}");
            }

            Assert.True(expected.Digest.AsSpan().SequenceEqual(store.StoredDigest(key)), $"run {key}: the stored digest is not that of the run computed directly");
        }

        for (var p = 0; p < spec.Scenarios.Count; p++)
        {
            Assert.Equal(ExpectedRuns.Of(spec, p, 0).Kpis.Select(k => k.Name), store.KpiNames(batch, p));
        }
    }
}
