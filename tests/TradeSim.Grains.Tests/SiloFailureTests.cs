using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Tests.Support;
using Xunit.Abstractions;

namespace TradeSim.Grains.Tests;

/// <summary>
/// A two-silo cluster (2 run workers each, batches adopted from the store as in a real cluster) loses a silo while
/// it executes runs of a batch. The victim's runs are pinned on it deterministically: the other silo has compiled the
/// batch's scenarios already, and the store holds back scenario text, so the victim's two runs wait in their
/// compile while the survivor runs every other run. Each test has a cluster and a SQLite file of its own.
/// </summary>
public sealed class SiloFailureTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(90);
    private readonly TempFolder _folder = new();
    private TradeSimCluster? _cluster;

    /// <summary>The silos' log goes to the test's output, shown when the test fails.</summary>
    public void Dispose()
    {
        if (_cluster is not null)
        {
            output.WriteLine(_cluster.Log.Tail(200));
        }

        _folder.Dispose();
    }

    private async Task<TradeSimCluster> StartClusterAsync(RecordingResultStore store)
    {
        _cluster = await TradeSimCluster.StartAsync(store, silos: 2, workers: 2, adoptRunningBatches: true);
        return _cluster;
    }

    private sealed record Pinned(
        RecordingResultStore Store,
        TradeSimCluster Cluster,
        BatchSpec Spec,
        long Id,
        InProcessSiloHandle Victim,
        InProcessSiloHandle Survivor,
        IDisposable LayersHold);

    /// <summary>
    /// A batch of 2 short scenarios x 4 replications, mid-way: the victim executes 2 of its runs (stuck in their
    /// compile until the hold is released), the survivor has finished the other 6.
    /// </summary>
    private async Task<Pinned> PinTwoRunsOnOneSiloAsync(RecordingResultStore store, TradeSimCluster cluster, bool victimHostsTheBatch)
    {
        var spec = TestScenarios.Spec(31, ReplicationPolicy.Fixed(4), ("baseline", TestScenarios.ShortBaseline()), ("nam-giang-upgrade", TestScenarios.ShortUpgrade()));
        var id = store.CreateBatch(spec, 4, DateTimeOffset.UtcNow).Id;
        store.SetStatus(id, BatchStatus.Interrupted);
        var batch = cluster.Batch(id);
        await batch.Progress(); // activates the batch grain, idle while interrupted
        var batchSilo = cluster.SiloOf(batch) ?? throw new InvalidOperationException("the batch grain is not active");
        var victim = victimHostsTheBatch ? batchSilo : cluster.Cluster.Silos.Single(s => !s.SiloAddress.Equals(batchSilo.SiloAddress));
        var survivor = cluster.Cluster.Silos.Single(s => !s.SiloAddress.Equals(victim.SiloAddress));
        var runner = survivor.ServiceProvider.GetRequiredService<ReplicationRunner>();
        foreach (var scenario in spec.Scenarios)
        {
            runner.CompileStored(scenario.Hash, () => scenario.Layers);
        }

        var hold = store.HoldScenarioLayers();
        using (new WorkerBlock(cluster.Workers(survivor)))
        {
            await batch.Start();
            await cluster.WaitForAsync(id, p => p.Silos.Any(s => s.SiloName == victim.Name && s.Executing == 2), $"executing 2 runs on {victim.Name}");
        }

        var mid = await cluster.WaitForAsync(id, p => p.Done == 6, "done but for the 2 runs on the victim");
        Assert.Equal((2, 0, BatchStatus.Running), (mid.Executing, mid.Waiting, mid.Status));
        Assert.Equal([new SiloShare(survivor.Name, 0, 6), new SiloShare(victim.Name, 2, 0)], mid.Silos.OrderBy(s => s.SiloName == victim.Name));
        return new Pinned(store, cluster, spec, id, victim, survivor, hold);
    }

    /// <summary>The runs that attempt 1 handed to the victim: the two that the survivor did not store.</summary>
    private static IReadOnlyList<RunKey> VictimRuns(Pinned pinned)
    {
        var storedBySurvivor = pinned.Store.SavesOf(pinned.Id).Select(s => s.Key).ToHashSet();
        var keys = BatchAssert.Keys(pinned.Id, 2, 4).Where(k => !storedBySurvivor.Contains(k)).ToList();
        Assert.Equal(2, keys.Count);
        return keys;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TradeSimCluster cluster)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < FailureTimeout, $"not {what} within {FailureTimeout.TotalSeconds} s{Environment.NewLine}{cluster.Log.Tail()}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task StopSilo_ExecutingRunsOfABatchOnAnotherSilo_GivesThemBackAndTheBatchCompletesEveryRunOnce()
    {
        using var store = RecordingResultStore.Create(_folder.NewDatabasePath("stop"));
        await using var cluster = await StartClusterAsync(store);
        var pinned = await PinTwoRunsOnOneSiloAsync(store, cluster, victimHostsTheBatch: false);
        var victimRuns = VictimRuns(pinned);

        // The stopping silo cancels its runs: released then, they give up at their first check and are given back.
        using var releaseOnStop = cluster.Workers(pinned.Victim).Stopping.Register(pinned.LayersHold.Dispose);
        await cluster.Cluster.StopSiloAsync(pinned.Victim);
        var done = await cluster.WaitForAsync(pinned.Id, p => p.Status == BatchStatus.Complete, "complete after its silo stopped", FailureTimeout);

        Assert.Equal((8, 0), (done.Done, done.Failed));
        BatchAssert.EveryRunStoredOnceAsComputedDirectly(store, pinned.Spec, pinned.Id, 4, identicalDuplicatesAllowed: false);
        Assert.Empty(store.FailuresOf(pinned.Id));
        Assert.Equal(victimRuns.OrderBy(k => k.GrainKey, StringComparer.Ordinal), store.ReturnedOf(pinned.Id).Distinct().OrderBy(k => k.GrainKey, StringComparer.Ordinal));
        foreach (var key in victimRuns)
        {
            // Every dispatch of the run but the last was given back, so none counted as an attempt. (A dispatch
            // can reach the stopping silo again while the run's grain is still active there: it is given back again.)
            var attempts = store.AttemptsStartedOf(pinned.Id).Where(a => a.Key == key).Select(a => a.Attempt).ToList();
            Assert.All(attempts, a => Assert.Equal(1, a));
            Assert.Equal(store.ReturnedOf(pinned.Id).Count(k => k == key) + 1, attempts.Count);
            Assert.Equal(pinned.Survivor.Name, store.StoredSilo(key));
        }
    }

    [Fact]
    public async Task KillSilo_ExecutingRunsOfABatchOnAnotherSilo_RunsAreLostRedispatchedAndTheBatchCompletesEveryRunOnce()
    {
        using var store = RecordingResultStore.Create(_folder.NewDatabasePath("kill"));
        await using var cluster = await StartClusterAsync(store);
        var pinned = await PinTwoRunsOnOneSiloAsync(store, cluster, victimHostsTheBatch: false);
        var victimRuns = VictimRuns(pinned);
        var victimWorkers = cluster.Workers(pinned.Victim);

        // Killed, the silo never reports its runs: they stay stuck until the batch has dispatched them again.
        var killing = cluster.Cluster.KillSiloAsync(pinned.Victim);
        await WaitUntilAsync(() => victimRuns.All(k => store.AttemptsStartedOf(pinned.Id).Any(a => a.Key == k && a.Attempt == 2)), "the dead silo's runs dispatched again", cluster);
        await WaitUntilAsync(() => victimWorkers.Stopping.IsCancellationRequested, "the dead silo's workers stopping", cluster);
        pinned.LayersHold.Dispose();
        await killing;
        var done = await cluster.WaitForAsync(pinned.Id, p => p.Status == BatchStatus.Complete, "complete after a silo died", FailureTimeout);

        Assert.Equal((8, 0), (done.Done, done.Failed));
        BatchAssert.EveryRunStoredOnceAsComputedDirectly(store, pinned.Spec, pinned.Id, 4, identicalDuplicatesAllowed: false);
        var failures = store.FailuresOf(pinned.Id);
        Assert.Equal(victimRuns.OrderBy(k => k.GrainKey, StringComparer.Ordinal), failures.Select(f => f.Key).OrderBy(k => k.GrainKey, StringComparer.Ordinal));
        Assert.All(failures, f =>
        {
            Assert.False(f.GiveUp);
            Assert.Contains($"its silo {pinned.Victim.SiloAddress.ToParsableString()} died while executing it", f.Error, StringComparison.Ordinal);
        });
        // An in-process kill still stops the dead silo's workers (a killed process could not): its run grains give
        // their first attempts back, which is right for runs that did not fail by themselves. No other run is touched.
        Assert.All(store.ReturnedOf(pinned.Id), k => Assert.Contains(k, victimRuns));
        foreach (var key in victimRuns)
        {
            Assert.Equal([1, 2], store.AttemptsStartedOf(pinned.Id).Where(a => a.Key == key).Select(a => a.Attempt));
            Assert.Equal(pinned.Survivor.Name, store.StoredSilo(key));
        }

        Assert.Equal(1, store.LoadsOf(pinned.Id));
    }

    [Fact]
    public async Task KillSilo_HostingTheBatchGrain_BatchIsRebuiltOnTheOtherSiloAndCompletesEveryRunOnce()
    {
        using var store = RecordingResultStore.Create(_folder.NewDatabasePath("kill-batch"));
        await using var cluster = await StartClusterAsync(store);
        var pinned = await PinTwoRunsOnOneSiloAsync(store, cluster, victimHostsTheBatch: true);
        var victimRuns = VictimRuns(pinned);
        var victimWorkers = cluster.Workers(pinned.Victim);

        var killing = cluster.Cluster.KillSiloAsync(pinned.Victim);
        await WaitUntilAsync(() => victimRuns.All(k => store.AttemptsStartedOf(pinned.Id).Any(a => a.Key == k && a.Attempt == 2)), "the dead silo's runs dispatched again", cluster);
        await WaitUntilAsync(() => victimWorkers.Stopping.IsCancellationRequested, "the dead silo's workers stopping", cluster);
        pinned.LayersHold.Dispose();
        await killing;
        var done = await cluster.WaitForAsync(pinned.Id, p => p.Status == BatchStatus.Complete, "complete after the silo of its grain died", FailureTimeout);

        var batchSilo = cluster.SiloOf(cluster.Batch(pinned.Id))?.SiloAddress;
        Assert.Equal((8, 0), (done.Done, done.Failed));
        Assert.Equal(2, store.LoadsOf(pinned.Id));
        Assert.Equal(pinned.Survivor.SiloAddress, batchSilo);
        BatchAssert.EveryRunStoredOnceAsComputedDirectly(store, pinned.Spec, pinned.Id, 4, identicalDuplicatesAllowed: false);
        foreach (var key in victimRuns)
        {
            Assert.Equal([1, 2], store.AttemptsStartedOf(pinned.Id).Where(a => a.Key == key).Select(a => a.Attempt));
            Assert.Equal(pinned.Survivor.Name, store.StoredSilo(key));
        }

        Assert.All(BatchAssert.Keys(pinned.Id, 2, 4).Except(victimRuns), k => Assert.Equal([1], store.AttemptsStartedOf(pinned.Id).Where(a => a.Key == k).Select(a => a.Attempt)));
    }
}
