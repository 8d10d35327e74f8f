using TradeSim.Grains.Batches;
using TradeSim.Grains.Tests.Support;

namespace TradeSim.Grains.Tests;

/// <summary>
/// A silo with the default queue-ahead (1): it claims one run beyond its workers, so a worker that finishes starts the
/// next run at once; it never holds more than workers + 1 runs (a run's slot is given back only once its outcome is
/// reported, so the batch's count of runs executing never runs ahead of the silo's), and never executes more than its
/// workers at once.
/// </summary>
public sealed class QueueAheadTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private RecordingResultStore _store = null!;
    private TradeSimCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _store = RecordingResultStore.Create(_folder.NewDatabasePath("queue-ahead"));
        _cluster = await TradeSimCluster.StartAsync(_store, silos: 1, workers: 1, adoptRunningBatches: false, queueAhead: new Runs.RunOptions().QueueAhead);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Start_OneWorker_HoldsOneRunQueuedAhead_ExecutesOneAtATime_AndStoresEveryRunOnce()
    {
        Assert.Equal(1, new Runs.RunOptions().QueueAhead);
        var spec = TestScenarios.Spec(5, ReplicationPolicy.Fixed(6), ("baseline", [.. TestScenarios.Baseline(), new("sixty.yaml", "settings:\n  days: 60\n  warmup_days: 1\n")]));
        var id = _store.CreateBatch(spec, 6, DateTimeOffset.UtcNow).Id;
        var workers = _cluster.Workers();

        var progress = await _cluster.Batch(id).Start();
        var held = new List<int>();
        var busy = new List<int>();
        while (progress.Status == BatchStatus.Running)
        {
            held.Add(progress.Executing);
            busy.Add(workers.Busy);
            await Task.Delay(1);
            progress = await _cluster.Batch(id).Progress();
        }

        Assert.True((6, 0) == (progress.Done, progress.Failed), string.Join("\n", _store.FailuresOf(id)) + "\n" + _cluster.Log.Tail());
        BatchAssert.EveryRunStoredOnceAsComputedDirectly(_store, spec, id, 6, identicalDuplicatesAllowed: false);
        Assert.All(_store.AttemptsStartedOf(id), a => Assert.Equal(1, a.Attempt));
        Assert.True(held.Max() <= 2 && busy.Max() <= 2, $"the silo held up to {held.Max()} runs (pool: {busy.Max()}): expected at most 1 worker + 1 queued");
        Assert.True(held.Contains(2), $"the silo never held a run queued ahead of its worker (dispatched counts seen: {string.Join(", ", held.Distinct())})");
        Assert.Equal(1, workers.Workers);
    }
}
