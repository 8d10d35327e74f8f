using TradeSim.Kernel;
using System.Collections.Concurrent;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using static TradeSim.Silo.Tests.Support.StoreData;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>
/// What every <see cref="IResultStore"/> must do, and do the same way: the embedded SQLite store and the cluster's
/// PostgreSQL store each run these tests against a new, empty store (<see cref="NewStore"/>). Behaviour that differs
/// on purpose (the cluster store finds a batch submitted again; the files and schemas of each) is tested beside each
/// store, not here.
/// </summary>
public abstract class ResultStoreContract
{
    /// <summary>A new, empty store of the kind under test; the test class disposes what it hands out.</summary>
    protected abstract IResultStore NewStore();

    [Theory]
    [InlineData(0UL)]
    [InlineData(42UL)]
    [InlineData(9223372036854775808UL)]
    [InlineData(ulong.MaxValue)]
    public void CreateBatch_ThenLoadBatch_RoundTripsTheSpecExactly(ulong seed)
    {
        var store = NewStore();
        var spec = new BatchSpec(
            [Scenario(0, "baseline"), Scenario(1, "wider-gate"), Scenario(2, "ünïcödé \"quoted\" name")],
            BaselinePosition: 1,
            seed,
            new ReplicationPolicy(5, 200, 0.02),
            ["batch", "a b.yaml", "--set", "gate.x.lanes=3", "ünïcödé \"quoted\" \\ option"]);

        var (id, created) = store.CreateBatch(spec, 5, Created);
        var batch = store.LoadBatch(id);

        Assert.True(created, "a new batch was not reported as created");
        Assert.Equal(id, batch.Id);
        Assert.Equal(Created, batch.CreatedUtc);
        Assert.Equal(EngineVersion.Current, batch.EngineVersion);
        Assert.Equal(BatchStatus.Running, batch.Status);
        Assert.Equal(5, batch.PlannedReplications);
        Assert.Equal(BatchSpec.DefaultMaxAttempts, batch.MaxAttempts);
        Assert.Equal(seed, batch.Spec.Seed);
        Assert.Equal(1, batch.Spec.BaselinePosition);
        Assert.Equal(spec.Policy, batch.Spec.Policy);
        Assert.Equal(spec.Options, batch.Spec.Options);
        Assert.Equal(spec.Scenarios.Count, batch.Spec.Scenarios.Count);
        for (var i = 0; i < spec.Scenarios.Count; i++)
        {
            var (expected, actual) = (spec.Scenarios[i], batch.Spec.Scenarios[i]);
            Assert.Equal((expected.Position, expected.Name, expected.Hash), (actual.Position, actual.Name, actual.Hash));
            Assert.Equal(expected.Layers, actual.Layers);
        }
    }

    [Fact]
    public void CreateBatch_FixedPolicy_LoadsWithoutPrecision()
    {
        var store = NewStore();

        var (id, _) = store.CreateBatch(Spec(policy: ReplicationPolicy.Fixed(20)), 20, Created);
        var policy = store.LoadBatch(id).Spec.Policy;

        Assert.Equal(ReplicationPolicy.Fixed(20), policy);
        Assert.Null(policy.Precision);
        Assert.True(policy.IsFixed);
    }

    [Fact]
    public void CreateBatch_PlansEveryRun_PendingWithoutAttempts_InReplicationThenPositionOrder()
    {
        var store = NewStore();

        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 3, Created);

        Assert.Equal(
            [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)],
            store.RunStates(id).Select(r => (r.Position, r.Replication)));
        Assert.All(store.RunStates(id), r => Assert.Equal((StoredRunState.Pending, 0, (string?)null), (r.State, r.Attempts, r.LastError)));
    }

    [Fact]
    public void CreateBatch_TwoBatches_KeepTheirRunsApart()
    {
        var store = NewStore();
        var (a, _) = store.CreateBatch(Spec(scenarios: 1), 2, Created);
        var (b, _) = store.CreateBatch(Spec(scenarios: 2, seed: 7), 1, Created);

        store.SaveResult(Key(a, 0, 0), Record(), SiloA, 1, Created);

        Assert.NotEqual(a, b);
        Assert.Equal([(0, 0, StoredRunState.Done), (0, 1, StoredRunState.Pending)], store.RunStates(a).Select(r => (r.Position, r.Replication, r.State)));
        Assert.Equal([(0, 0, StoredRunState.Pending), (1, 0, StoredRunState.Pending)], store.RunStates(b).Select(r => (r.Position, r.Replication, r.State)));
        Assert.Empty(store.AllFinishedRuns(b));
        Assert.Empty(store.AllDailyQueues(b));
    }

    [Fact]
    public void LoadBatch_UnknownId_ThrowsNamingTheKnownIds()
    {
        var store = NewStore();
        var none = Assert.Throws<ResultStoreException>(() => store.LoadBatch(1));
        Assert.Contains("batch 1 is not in", none.Message, StringComparison.Ordinal);
        Assert.Contains("(none", none.Message, StringComparison.Ordinal);

        var (first, _) = store.CreateBatch(Spec(seed: 1), 1, Created);
        var (second, _) = store.CreateBatch(Spec(seed: 2), 1, Created);

        var e = Assert.Throws<ResultStoreException>(() => store.LoadBatch(99));

        Assert.Contains("batch 99 is not in", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"expected one of {first}, {second}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetStatus_IsWhatLoadBatchReads()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(), 1, Created);

        store.SetStatus(id, BatchStatus.Interrupted);
        Assert.Equal(BatchStatus.Interrupted, store.LoadBatch(id).Status);

        store.SetStatus(id, BatchStatus.Complete);
        Assert.Equal(BatchStatus.Complete, store.LoadBatch(id).Status);
    }

    [Fact]
    public void PlanReplications_More_AddsOnlyTheNewRuns_AndLeavesTheOthersAsTheyWere()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);
        store.StartAttempts([Key(id, 0, 0), Key(id, 1, 0), Key(id, 0, 1)]);
        store.SaveResult(Key(id, 0, 0), Record(3), SiloA, 1, Created);
        store.RecordFailure(Key(id, 1, 0), "boom", giveUp: true);
        store.RecordFailure(Key(id, 0, 1), "once", giveUp: false);

        store.PlanReplications(id, 4);

        Assert.Equal(4, store.LoadBatch(id).PlannedReplications);
        Assert.Equal(
            [
                new RunState(0, 0, StoredRunState.Done, 1, null),
                new RunState(1, 0, StoredRunState.Failed, 1, "boom"),
                new RunState(0, 1, StoredRunState.Pending, 1, "once"),
                new RunState(1, 1, StoredRunState.Pending, 0, null),
                new RunState(0, 2, StoredRunState.Pending, 0, null),
                new RunState(1, 2, StoredRunState.Pending, 0, null),
                new RunState(0, 3, StoredRunState.Pending, 0, null),
                new RunState(1, 3, StoredRunState.Pending, 0, null),
            ],
            store.RunStates(id));
        Assert.Equal(30, Assert.Single(store.AllFinishedRuns(id)).Kpis["gate.a.trucks"]);
    }

    [Fact]
    public void PlanReplications_FewerOrSame_ChangesNothing()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 3, Created);
        store.SaveResult(Key(id, 1, 2), Record(), SiloA, 1, Created);
        var before = store.RunStates(id);

        store.PlanReplications(id, 3);
        store.PlanReplications(id, 1);

        Assert.Equal(3, store.LoadBatch(id).PlannedReplications);
        Assert.Equal(before, store.RunStates(id));
    }

    [Fact]
    public void StartAttempts_CountsOneMoreEach_AndReturnsThemInTheGivenOrder()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);

        Assert.Equal([1, 1], store.StartAttempts([Key(id, 1, 1), Key(id, 0, 0)]));
        Assert.Equal([2, 1, 2], store.StartAttempts([Key(id, 0, 0), Key(id, 0, 1), Key(id, 1, 1)]));
        Assert.Equal([3], store.StartAttempts([Key(id, 1, 1)]));
        Assert.Empty(store.StartAttempts([]));

        Assert.Equal(
            [(0, 0, 2), (1, 0, 0), (0, 1, 1), (1, 1, 3)],
            store.RunStates(id).Select(r => (r.Position, r.Replication, r.Attempts)));
    }

    [Fact]
    public void StartAttempts_UnplannedRun_ThrowsAndCountsNothing()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 2, Created);

        var e = Assert.Throws<ResultStoreException>(() => store.StartAttempts([Key(id, 0, 0), Key(id, 0, 7), Key(id, 0, 1)]));

        Assert.Contains($"run {id}/0/7 is not planned", e.Message, StringComparison.Ordinal);
        Assert.True(
            store.RunStates(id).All(r => r.Attempts == 0),
            $"the runs listed with an unplanned one were counted anyway: {string.Join(", ", store.RunStates(id))}");
    }

    [Fact]
    public void ReturnAttempt_GivesOneBack_NeverBelowZero()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 2, Created);
        store.StartAttempts([Key(id, 0, 0)]);
        store.StartAttempts([Key(id, 0, 0)]);

        store.ReturnAttempt(Key(id, 0, 0));
        Assert.Equal(1, store.RunStates(id)[0].Attempts);

        store.ReturnAttempt(Key(id, 0, 0));
        store.ReturnAttempt(Key(id, 0, 0));
        store.ReturnAttempt(Key(id, 0, 1));

        Assert.Equal([0, 0], store.RunStates(id).Select(r => r.Attempts));
        Assert.Equal([1], store.StartAttempts([Key(id, 0, 0)]));
    }

    [Fact]
    public void ReturnAttempt_OfARunThatIsDone_KeepsItsAttempts()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        store.StartAttempts([Key(id, 0, 0)]);
        store.SaveResult(Key(id, 0, 0), Record(), SiloA, 1, Created);

        store.ReturnAttempt(Key(id, 0, 0));

        Assert.Equal(new RunState(0, 0, StoredRunState.Done, 1, null), Assert.Single(store.RunStates(id)));
    }

    [Fact]
    public void SaveResult_StoresOnce_SameAgainIsIdentical_DifferentIsConflicting_AndTheFirstIsKept()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(), 3, Created);

        Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(id, 0, 1), Record(1), SiloA, 12.5, Created));
        Assert.Equal(SaveOutcome.IdenticalDuplicate, store.SaveResult(Key(id, 0, 1), Record(1), SiloB, 99, Created.AddHours(1)));
        Assert.Equal(SaveOutcome.ConflictingDuplicate, store.SaveResult(Key(id, 0, 1), Record(2), SiloB, 99, Created.AddHours(1)));
        Assert.Equal(SaveOutcome.ConflictingDuplicate, store.SaveResult(Key(id, 0, 1), Record(1, conserved: false), SiloB, 99, Created.AddHours(1)));

        var run = Assert.Single(store.AllFinishedRuns(id));
        Assert.Equal((0, 1), (run.Position, run.Replication));
        Assert.Equal(10, run.Kpis["gate.a.trucks"]);
        Assert.Equal(3, run.Kpis.Count);
        Assert.Equal([0.5f, 1.25f, 2f], store.AllDailyQueues(id).Single(q => q.Gate == "a").MeanQueue);
        Assert.Equal(0, store.UnconservedRuns(id));
        Assert.Equal(StoredRunState.Done, store.RunStates(id).Single(r => (r.Position, r.Replication) == (0, 1)).State);
    }

    [Fact]
    public void SaveResult_UnplannedRun_ThrowsAndStoresNothing()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);

        var e = Assert.Throws<ResultStoreException>(() => store.SaveResult(Key(id, 0, 99), Record(), SiloA, 1, Created));

        Assert.Contains($"run {id}/0/99 is not planned", e.Message, StringComparison.Ordinal);
        Assert.Empty(store.AllFinishedRuns(id));
        Assert.Empty(store.AllDailyQueues(id));
        Assert.Empty(store.KpiNames(id, 0));
        Assert.Equal([StoredRunState.Pending], store.RunStates(id).Select(r => r.State));
    }

    [Fact]
    public void SaveResult_SameRunFromSeveralThreadsAtOnce_StoresItOnce()
    {
        const int Threads = 8;
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        var outcomes = new ConcurrentBag<SaveOutcome>();
        var errors = new ConcurrentBag<Exception>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var record = Record(1);
                start.SignalAndWait();
                outcomes.Add(store.SaveResult(Key(id, 0, 0), record, t % 2 == 0 ? SiloA : SiloB, t, Created));
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a SaveResult did not return within 60 s"));

        Assert.Empty(errors);
        Assert.Equal(Threads, outcomes.Count);
        Assert.Equal(1, outcomes.Count(o => o == SaveOutcome.Stored));
        Assert.Equal(Threads - 1, outcomes.Count(o => o == SaveOutcome.IdenticalDuplicate));
        Assert.Single(store.AllFinishedRuns(id));
        Assert.Equal(2, store.AllDailyQueues(id).Count);
    }

    [Fact]
    public void SaveResult_AKpiWithoutData_IsNamedInKpiNames_AndReadBackAbsent_NeverAsZero()
    {
        // NaN is how a run says "no data" (no truck crossed, so no crossing time): the store keeps the name in its
        // place and gives no value back, so statistics count only the runs that measured it.
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 2, Created);
        store.SaveResult(Key(id, 0, 0), Record([new("gate.a.trucks", 0), new("gate.a.hours_to_cross_mean", double.NaN), new("total.trade_value_usd", 5)]), SiloA, 1, Created);
        store.SaveResult(Key(id, 0, 1), Record([new("gate.a.trucks", 3), new("gate.a.hours_to_cross_mean", 2.5), new("total.trade_value_usd", 6)]), SiloA, 1, Created);

        Assert.Equal(["gate.a.trucks", "gate.a.hours_to_cross_mean", "total.trade_value_usd"], store.KpiNames(id, 0));
        var runs = store.AllFinishedRuns(id);
        Assert.Equal(["gate.a.trucks", "total.trade_value_usd"], runs[0].Kpis.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2.5, runs[1].Kpis["gate.a.hours_to_cross_mean"]);
    }

    [Fact]
    public void LoadBatch_KeepsThePrecisionKpisTheAbsoluteToleranceAndEachScenariosEntities()
    {
        var store = NewStore();
        var policy = new ReplicationPolicy(5, 50, 0.05) { PrecisionKpis = ["corridor.*.hours_to_cross", "gate.bo-y.trucks"], AbsoluteTolerance = 0.25 };
        var entities = new ScenarioEntities(
            "two gates",
            new DateOnly(2023, 1, 1),
            365,
            14,
            [new GateEntity("g", "Gate G", "c", "main", [new PostEntity("vn", "Post V", 2), new PostEntity("la", "Post L", 1)], [new ClosureEntity(new DateOnly(2023, 3, 1), 14, "landslide")], 15.54, 107.37)],
            [new NodeEntity("n", "Node N", "vn", "hub", null, null)],
            [new CommodityEntity("ore", "Ore")],
            [new FlowEntity("f", "ore", "n", "n")]);
        var spec = Spec(scenarios: 2, policy: policy);
        spec = spec with { Scenarios = [spec.Scenarios[0] with { Entities = entities }, spec.Scenarios[1]] };
        var (id, _) = store.CreateBatch(spec, 5, Created);

        var loaded = store.LoadBatch(id).Spec;

        Assert.Equal(policy, loaded.Policy);
        Assert.Equal(["corridor.*.hours_to_cross", "gate.bo-y.trucks"], loaded.Policy.PrecisionKpis);
        Assert.Equal(0.25, loaded.Policy.AbsoluteTolerance);
        var gate = Assert.Single(loaded.Scenarios[0].Entities.Gates);
        Assert.Equal(("Gate G", 15.54, 107.37, "landslide", "Post L"), (gate.Name, gate.Latitude, gate.Longitude, gate.Closures[0].Reason, gate.Posts[1].Name));
        Assert.Equal(entities.ToJson(), loaded.Scenarios[0].Entities.ToJson());
        Assert.Equal(spec.Scenarios[1].Entities.ToJson(), loaded.Scenarios[1].Entities.ToJson());
    }

    [Fact]
    public void FinishedRuns_KpiValues_RoundTripBitForBit()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        var kpis = AwkwardDoubles.Select((v, i) => new KpiValue("k." + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), v)).ToList();

        store.SaveResult(Key(id, 0, 0), Record(kpis), SiloA, 1, Created);

        var run = Assert.Single(store.AllFinishedRuns(id));
        Assert.Equal(kpis.Count, run.Kpis.Count);
        foreach (var k in kpis)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(k.Value) == BitConverter.DoubleToInt64Bits(run.Kpis[k.Name]),
                $"{k.Name}: saved {k.Value:R}, read back {run.Kpis[k.Name]:R}");
        }
    }

    [Fact]
    public void FinishedRuns_NegativeZero_ReadsAsPositiveZero()
    {
        // RunRecord writes -0.0 as +0.0 (SQLite would not keep the sign of an integral zero): every store reads +0.0.
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);

        store.SaveResult(Key(id, 0, 0), Record([new KpiValue("k", -0.0)]), SiloA, 1, Created);

        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(Assert.Single(store.AllFinishedRuns(id)).Kpis["k"]));
        Assert.Equal(
            SaveOutcome.IdenticalDuplicate,
            store.SaveResult(Key(id, 0, 0), Record([new KpiValue("k", 0.0)]), SiloA, 1, Created));
    }

    [Fact]
    public void FinishedRuns_OnlyDoneRuns_ByPositionThenReplication()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 3, Created);
        foreach (var (position, replication) in new[] { (1, 2), (0, 1), (1, 0), (0, 0) })
        {
            store.SaveResult(Key(id, position, replication), Record(position + (replication * 10)), SiloA, 1, Created);
        }

        store.RecordFailure(Key(id, 0, 2), "boom", giveUp: true);

        var runs = store.AllFinishedRuns(id);
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 2)], runs.Select(r => (r.Position, r.Replication)));
        Assert.Equal([0.0, 100, 10, 210], runs.Select(r => r.Kpis["gate.a.trucks"]));
    }

    [Fact]
    public void KpiNames_InTheOrderTheFirstDoneRunListedThem()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 3, Created);
        KpiValue[] kpis = [new("z.last", 1), new("a.first", 2), new("m.middle", 3)];

        Assert.Empty(store.KpiNames(id, 1));
        store.SaveResult(Key(id, 1, 2), Record(kpis), SiloA, 1, Created);
        store.SaveResult(Key(id, 1, 1), Record(kpis), SiloA, 1, Created);

        Assert.Equal(["z.last", "a.first", "m.middle"], store.KpiNames(id, 1));
        Assert.Empty(store.KpiNames(id, 0));
        Assert.Equal([(1, 1), (1, 2)], store.AllFinishedRuns(id).Select(r => (r.Position, r.Replication)));
    }

    [Fact]
    public void DailyQueues_RoundTripBitForBit_ByPositionReplicationAndGate()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);
        var zeta = AwkwardSeries(1);
        var alpha = AwkwardSeries(2);
        var mid = AwkwardSeries(3);

        store.SaveResult(Key(id, 1, 1), Record(Record().Kpis, [("zeta", zeta), ("alpha", alpha), ("mid", mid)]), SiloA, 1, Created);
        store.SaveResult(Key(id, 0, 1), Record(Record().Kpis, [("b", [4f, 5f]), ("a", [1f, 2f])]), SiloA, 1, Created);
        store.SaveResult(Key(id, 0, 0), Record(Record().Kpis, []), SiloA, 1, Created);

        var queues = store.AllDailyQueues(id);

        Assert.Equal(
            [(0, 1, "a"), (0, 1, "b"), (1, 1, "alpha"), (1, 1, "mid"), (1, 1, "zeta")],
            queues.Select(q => (q.Position, q.Replication, q.Gate)));
        Assert.Equal([1f, 2f], queues[0].MeanQueue);
        Assert.Equal([4f, 5f], queues[1].MeanQueue);
        foreach (var (gate, series) in new[] { ("alpha", alpha), ("mid", mid), ("zeta", zeta) })
        {
            var read = queues.Single(q => q.Gate == gate).MeanQueue;
            Assert.Equal(series.Length, read.Length);
            Assert.True(
                series.Select(BitConverter.SingleToInt32Bits).SequenceEqual(read.Select(BitConverter.SingleToInt32Bits)),
                $"gate {gate}: the daily queue did not round-trip bit for bit");
        }
    }

    [Fact]
    public void RecordFailure_WithoutGivingUp_KeepsTheRunPendingWithItsLastError()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        store.StartAttempts([Key(id, 0, 0)]);

        store.RecordFailure(Key(id, 0, 0), "InvalidOperationException: first", giveUp: false);
        store.StartAttempts([Key(id, 0, 0)]);
        store.RecordFailure(Key(id, 0, 0), "InvalidOperationException: second", giveUp: false);

        Assert.Equal(new RunState(0, 0, StoredRunState.Pending, 2, "InvalidOperationException: second"), Assert.Single(store.RunStates(id)));
        Assert.Empty(store.FailedRuns(id));
    }

    [Fact]
    public void RecordFailure_GivingUp_FailsTheRun_AndFailedRunsListsItWithAttemptsAndError()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);
        for (var attempt = 1; attempt <= BatchSpec.DefaultMaxAttempts; attempt++)
        {
            Assert.Equal([attempt], store.StartAttempts([Key(id, 1, 0)]));
            store.RecordFailure(Key(id, 1, 0), $"boom {attempt}", giveUp: attempt == BatchSpec.DefaultMaxAttempts);
        }

        store.StartAttempts([Key(id, 0, 1)]);
        store.RecordFailure(Key(id, 0, 1), "silo died", giveUp: true);

        Assert.Equal(
            [new FailedRun(0, 1, 1, "silo died"), new FailedRun(1, 0, 3, "boom 3")],
            store.FailedRuns(id));
        Assert.Equal(StoredRunState.Failed, store.RunStates(id).Single(r => (r.Position, r.Replication) == (1, 0)).State);
        Assert.Empty(store.AllFinishedRuns(id));
    }

    [Fact]
    public void RecordFailure_OfARunThatIsDone_NeverFailsIt()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        store.StartAttempts([Key(id, 0, 0)]);
        store.SaveResult(Key(id, 0, 0), Record(), SiloA, 1, Created);

        store.RecordFailure(Key(id, 0, 0), "a late failure of another attempt", giveUp: true);
        store.RecordFailure(Key(id, 0, 0), "a late failure of another attempt", giveUp: false);

        Assert.Equal(new RunState(0, 0, StoredRunState.Done, 1, null), Assert.Single(store.RunStates(id)));
        Assert.Empty(store.FailedRuns(id));
        Assert.Single(store.AllFinishedRuns(id));
    }

    [Fact]
    public void SaveResult_OfARunGivenUp_StoresTheLateResult_AndTheRunIsDone()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);
        store.StartAttempts([Key(id, 0, 0)]);
        store.RecordFailure(Key(id, 0, 0), "given up", giveUp: true);

        Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(id, 0, 0), Record(), SiloA, 1, Created));

        Assert.Equal(StoredRunState.Done, Assert.Single(store.RunStates(id)).State);
        Assert.Empty(store.FailedRuns(id));
        Assert.Single(store.AllFinishedRuns(id));
    }

    [Fact]
    public void UnconservedRuns_CountsDoneRunsThatDidNotConserve()
    {
        var store = NewStore();
        var (id, _) = store.CreateBatch(Spec(scenarios: 2), 2, Created);
        var (other, _) = store.CreateBatch(Spec(scenarios: 1, seed: 9), 1, Created);
        Assert.Equal(0, store.UnconservedRuns(id));

        store.SaveResult(Key(id, 0, 0), Record(1, conserved: false), SiloA, 1, Created);
        store.SaveResult(Key(id, 1, 0), Record(1, conserved: true), SiloA, 1, Created);
        store.SaveResult(Key(id, 0, 1), Record(2, conserved: false), SiloA, 1, Created);
        store.SaveResult(Key(other, 0, 0), Record(1, conserved: false), SiloA, 1, Created);

        Assert.Equal(2, store.UnconservedRuns(id));
        Assert.Equal(1, store.UnconservedRuns(other));
    }

    [Fact]
    public void RunningBatches_OnlyRunningOnes_OfTheGivenEngineVersion()
    {
        var store = NewStore();
        var ids = Enumerable.Range(1, 4).Select(seed => store.CreateBatch(Spec(seed: (ulong)seed), 1, Created).Id).ToList();
        store.SetStatus(ids[1], BatchStatus.Complete);
        store.SetStatus(ids[2], BatchStatus.Interrupted);

        Assert.Equal([ids[0], ids[3]], store.RunningBatches(EngineVersion.Current));
        Assert.Empty(store.RunningBatches("0.0.1+another-engine"));

        store.SetStatus(ids[2], BatchStatus.Running);
        Assert.Equal([ids[0], ids[2], ids[3]], store.RunningBatches(EngineVersion.Current));
    }

    [Fact]
    public void ScenarioLayers_ByHash_GivesTheStoredText()
    {
        var store = NewStore();
        var spec = Spec(scenarios: 2);
        store.CreateBatch(spec, 1, Created);

        Assert.Equal(spec.Scenarios[1].Layers, store.ScenarioLayers(spec.Scenarios[1].Hash));
        Assert.Equal(spec.Scenarios[0].Layers, store.ScenarioLayers(spec.Scenarios[0].Hash));
    }

    [Fact]
    public void ScenarioLayers_UnknownHash_Throws()
    {
        var store = NewStore();
        store.CreateBatch(Spec(), 1, Created);
        var unknown = new string('0', 64);

        var e = Assert.Throws<ResultStoreException>(() => store.ScenarioLayers(unknown));

        Assert.Contains($"scenario {unknown} is not in", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateBatch_AScenarioTextInTwoBatches_BothLoadIt()
    {
        var store = NewStore();
        var (a, _) = store.CreateBatch(Spec(scenarios: 2, seed: 1), 1, Created);
        var (b, _) = store.CreateBatch(Spec(scenarios: 3, seed: 2), 1, Created);

        Assert.Equal(store.LoadBatch(a).Spec.Scenarios.Select(s => s.Hash), store.LoadBatch(b).Spec.Scenarios.Take(2).Select(s => s.Hash));
        Assert.Equal(Spec(scenarios: 3).Scenarios[2].Layers, store.LoadBatch(b).Spec.Scenarios[2].Layers);
    }
}
