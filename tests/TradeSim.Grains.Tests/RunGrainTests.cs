using System.Diagnostics;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Grains.Tests.Support;
using TradeSim.Tests.Shared;

namespace TradeSim.Grains.Tests;

/// <summary>
/// Run grains driven directly, as a claimer drives them, on a batch that the silo's claimer leaves alone (stored as
/// interrupted from the start, so its grain hands out nothing and only takes reports).
/// </summary>
public sealed class RunGrainTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    private RecordingResultStore Store => fixture.Store;

    private TradeSimCluster Cluster => fixture.Cluster;

    private (BatchSpec Spec, RunAssignment Assignment) InterruptedBatch(ulong seed)
    {
        var spec = TestScenarios.Spec(seed, ReplicationPolicy.Fixed(1), ("baseline", TestScenarios.ShortBaseline()));
        var id = Store.CreateBatch(spec, 1, DateTimeOffset.UtcNow).Id;
        Store.SetStatus(id, BatchStatus.Interrupted);
        var silo = Cluster.Cluster.Silos[0];
        var executor = new RunExecutor(silo.Name, silo.SiloAddress.ToParsableString(), EngineVersion.Current);
        var scenario = spec.Scenarios[0];
        return (spec, new RunAssignment(new RunKey(id, 0, 0), 1, spec.Seed, scenario.Name, scenario.Hash, executor, Alone: false));
    }

    private async Task WaitUntilDeactivatedAsync(IRunGrain grain)
    {
        var started = Stopwatch.GetTimestamp();
        while (Cluster.SiloOf(grain) is not null)
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30), $"run grain {grain.GetPrimaryKeyString()} still active after 30 s{Environment.NewLine}{Cluster.Log.Tail()}");
            await Task.Delay(20);
        }
    }

    private async Task<RunStatus> WaitForStateAsync(IRunGrain grain, RunGrainState state)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var status = await grain.Status();
            if (status.State == state)
            {
                return status;
            }

            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30), $"run grain {grain.GetPrimaryKeyString()} not {state} after 30 s: {status}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Execute_TwiceWhileExecuting_SecondIsAlreadyExecutingAndOneResultIsStored()
    {
        var (spec, assignment) = InterruptedBatch(21);
        var key = assignment.Key;
        var grain = Cluster.Run(key);
        ExecuteReply first, second;
        RunStatus executing;
        using (new WorkerBlock(Cluster.Workers()))
        {
            // No worker takes the run before the block ends: the grain is executing it all along.
            first = await grain.Execute(assignment);
            second = await grain.Execute(assignment with { Attempt = 2 });
            executing = await grain.Status();
        }

        await Cluster.WaitForAsync(key.Batch, p => p.Done == 1, "told the run is done");
        await WaitUntilDeactivatedAsync(grain);

        Assert.Equal(ExecuteReply.Accepted, first);
        Assert.Equal(ExecuteReply.AlreadyExecuting, second);
        Assert.Equal((RunGrainState.Executing, 2), (executing.State, executing.Attempt));
        var save = Assert.Single(Store.SavesOf(key.Batch));
        Assert.Equal((key, SaveOutcome.Stored), (save.Key, save.Outcome));
        Assert.Equal(ExpectedRuns.Of(spec, 0, 0).Digest, Store.StoredDigest(key));
        Assert.Equal(1, (await Cluster.Batch(key.Batch).Progress()).Done);
    }

    [Fact]
    public async Task ActivationDeactivatedMidRun_TheNextActivationAnswersForTheRun_AndDoesNotExecuteItAgain()
    {
        // Orleans deactivates an activation whose directory entry was held by a silo that leaves; the run goes on
        // in the silo's workers, and the silo's record of runs in flight lets the next activation answer for it.
        var (spec, assignment) = InterruptedBatch(24);
        var key = assignment.Key;
        var grain = Cluster.Run(key);
        ExecuteReply first, again;
        RunStatus afterDeactivation;
        using (new WorkerBlock(Cluster.Workers()))
        {
            first = await grain.Execute(assignment);
            await grain.Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
            await WaitUntilDeactivatedAsync(grain);
            afterDeactivation = await grain.Status();
            again = await grain.Execute(assignment with { Attempt = 2 });
        }

        await Cluster.WaitForAsync(key.Batch, p => p.Done == 1, "told the run is done");

        Assert.Equal((ExecuteReply.Accepted, ExecuteReply.AlreadyExecuting), (first, again));
        Assert.Equal((RunGrainState.Executing, 1), (afterDeactivation.State, afterDeactivation.Attempt));
        var save = Assert.Single(Store.SavesOf(key.Batch));
        Assert.Equal(SaveOutcome.Stored, save.Outcome);
        Assert.Equal(ExpectedRuns.Of(spec, 0, 0).Digest, Store.StoredDigest(key));
        Assert.Null(Cluster.Workers().InFlight(key));
    }

    [Fact]
    public async Task Execute_AgainWhileTheFinishedRunIsReporting_AnswersAlreadyDoneAndWritesNothing()
    {
        var (spec, assignment) = InterruptedBatch(22);
        var key = assignment.Key;
        var grain = Cluster.Run(key);
        ExecuteReply first, again;
        RunStatus finished;
        using (Store.HoldLoads(key.Batch))
        {
            // The batch grain is not active: the run's report activates it, and its activation waits on the store,
            // so the run grain stays finished (not yet deactivated) while it reports.
            first = await grain.Execute(assignment);
            finished = await WaitForStateAsync(grain, RunGrainState.Finished);
            again = await grain.Execute(assignment with { Attempt = 2 });
        }

        await Cluster.WaitForAsync(key.Batch, p => p.Done == 1, "told the run is done");
        await WaitUntilDeactivatedAsync(grain);

        Assert.Equal(ExecuteReply.Accepted, first);
        Assert.Equal(RunOutcome.Done, finished.Outcome);
        Assert.Equal(ExecuteReply.AlreadyDone, again);
        var save = Assert.Single(Store.SavesOf(key.Batch));
        Assert.Equal(SaveOutcome.Stored, save.Outcome);
        Assert.Equal(ExpectedRuns.Of(spec, 0, 0).Digest, Store.StoredDigest(key));
        Assert.Equal(1, Store.LoadsOf(key.Batch));
    }

    [Fact]
    public async Task Execute_SameAssignmentAfterTheRunFinishedAndItsGrainWentAway_ExecutesAgainAndStoresNothingNew()
    {
        var (spec, assignment) = InterruptedBatch(23);
        var key = assignment.Key;
        var grain = Cluster.Run(key);

        var first = await grain.Execute(assignment);
        await Cluster.WaitForAsync(key.Batch, p => p.Done == 1, "told the run is done");
        await WaitUntilDeactivatedAsync(grain);
        var digest = Store.StoredDigest(key);
        var kpis = Store.AllFinishedRuns(key.Batch).Single().Kpis;

        var again = await grain.Execute(assignment);
        var started = Stopwatch.GetTimestamp();
        while (Store.SavesOf(key.Batch).Count < 2)
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30), "the run was not executed again");
            await Task.Delay(10);
        }

        await WaitUntilDeactivatedAsync(grain);

        Assert.Equal((ExecuteReply.Accepted, ExecuteReply.Accepted), (first, again));
        Assert.Equal([SaveOutcome.Stored, SaveOutcome.IdenticalDuplicate], Store.SavesOf(key.Batch).Select(s => s.Outcome));
        Assert.Equal(ExpectedRuns.Of(spec, 0, 0).Digest, digest);
        Assert.Equal(digest, Store.StoredDigest(key));
        Assert.Equal(kpis, Store.AllFinishedRuns(key.Batch).Single().Kpis);
        Assert.Equal([StoredRunState.Done], Store.RunStates(key.Batch).Select(s => s.State));
        Assert.Equal(1, (await Cluster.Batch(key.Batch).Progress()).Done);
    }

    [Fact]
    public async Task Status_RunNeverExecutedHere_IsIdle()
    {
        var (_, assignment) = InterruptedBatch(24);
        var grain = Cluster.Run(assignment.Key);

        var status = await grain.Status();
        await WaitUntilDeactivatedAsync(grain);

        Assert.Equal((RunGrainState.Idle, 0, (RunOutcome?)null), (status.State, status.Attempt, status.Outcome));
        Assert.Equal(Cluster.Cluster.Silos[0].SiloAddress.ToParsableString(), status.SiloAddress);
        Assert.Empty(Store.SavesOf(assignment.Key.Batch));
    }
}
