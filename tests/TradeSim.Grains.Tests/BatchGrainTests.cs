using System.Diagnostics;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Tests.Support;

namespace TradeSim.Grains.Tests;

/// <summary>One silo with 2 run workers and a SQLite result store, shared by the tests of a class; each test runs batches of its own.</summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    internal RecordingResultStore Store { get; private set; } = null!;

    internal TradeSimCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = RecordingResultStore.Create(_folder.NewDatabasePath("grains"));
        Cluster = await TradeSimCluster.StartAsync(Store, silos: 1, workers: 2, adoptRunningBatches: false);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Store.Dispose();
        _folder.Dispose();
    }
}

/// <summary>Batches driven through <see cref="IBatchGrain"/> on a real in-process Orleans silo, checked against the store and direct runs.</summary>
public sealed class BatchGrainTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private RecordingResultStore Store => fixture.Store;

    private TradeSimCluster Cluster => fixture.Cluster;

    private long Create(BatchSpec spec, int plannedReplications) => Store.CreateBatch(spec, plannedReplications, DateTimeOffset.UtcNow).Id;

    [Fact]
    public async Task Start_SmallBatch_CompletesWithEveryRunStoredOnceAsComputedDirectly()
    {
        var spec = TestScenarios.Spec(42, ReplicationPolicy.Fixed(3), ("baseline", TestScenarios.ShortBaseline()), ("nam-giang-upgrade", TestScenarios.ShortUpgrade()));
        var id = Create(spec, 3);

        var started = await Cluster.Batch(id).Start();
        var done = await Cluster.WaitForAsync(id, p => p.Status == BatchStatus.Complete, "complete");

        Assert.Equal(BatchStatus.Running, started.Status);
        Assert.Equal(6, started.PlannedRuns);
        Assert.Equal((6, 0, 0, 0), (done.Done, done.Failed, done.Executing, done.Waiting));
        Assert.Equal(6, done.Silos.Sum(s => s.Done));
        Assert.Empty(done.OtherEngineSilos);
        BatchAssert.EveryRunStoredOnceAsComputedDirectly(Store, spec, id, 3, identicalDuplicatesAllowed: false);
        Assert.All(Store.AttemptsStartedOf(id), a => Assert.Equal(1, a.Attempt));
        Assert.Equal(6, Store.AttemptsStartedOf(id).Count);
        Assert.Equal(1, Store.LoadsOf(id));
        Assert.Equal(BatchStatus.Complete, Store.LoadBatch(id).Status);
        Assert.DoesNotContain(id, await Cluster.Client.GetGrain<IBatchBoardGrain>(0).RunningBatches());

        // A completed batch stays complete: Start again changes nothing.
        var again = await Cluster.Batch(id).Start();
        Assert.Equal((BatchStatus.Complete, 6), (again.Status, again.Done));
        Assert.Equal(6, Store.AttemptsStartedOf(id).Count);
    }
}
