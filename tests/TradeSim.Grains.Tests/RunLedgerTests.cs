using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Tests;

/// <summary>The batch grain's bookkeeping on its own: dispatch order, attempts, retries, give-up, release, rebuild.</summary>
public sealed class RunLedgerTests
{
    private const long Batch = 7;
    private const int MaxAttempts = 3;
    private static readonly RunExecutor SiloA = new("silo-a", "127.0.0.1:11111@1", EngineVersion.Current);
    private static readonly RunExecutor SiloB = new("silo-b", "127.0.0.1:11112@1", EngineVersion.Current);
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(10);

    private static RunLedger Ledger(int scenarios, int replications, int maxAttempts = MaxAttempts)
    {
        var ledger = new RunLedger(Batch, scenarios, maxAttempts);
        ledger.Plan(replications);
        return ledger;
    }

    private static RunKey Key(int position, int replication) => new(Batch, position, replication);

    private static IReadOnlyList<RunKey> Eligible(RunLedger ledger, int count, TimeSpan now, bool siloIdle = true)
    {
        var exhausted = new List<RunKey>();
        var keys = ledger.Eligible(count, now, exhausted, siloIdle);
        Assert.True(exhausted.Count == 0, $"unexpected exhausted runs: {string.Join(", ", exhausted)}");
        return keys;
    }

    /// <summary>Hands out up to <paramref name="count"/> runs to <paramref name="silo"/> as attempt 1 (their first).</summary>
    private static IReadOnlyList<RunKey> Dispatch(RunLedger ledger, int count, RunExecutor silo, TimeSpan now)
    {
        var keys = Eligible(ledger, count, now);
        foreach (var key in keys)
        {
            ledger.Dispatched(key, ledger.AttemptsOf(key) + 1, silo, now);
        }

        return keys;
    }

    [Fact]
    public void Eligible_FreshLedger_HandsOutReplicationMajorThenByPositionAtMostCount()
    {
        var ledger = Ledger(scenarios: 3, replications: 2);

        var first = Eligible(ledger, 4, T0);
        var all = Eligible(ledger, 100, T0);

        Assert.Equal([Key(0, 0), Key(1, 0), Key(2, 0), Key(0, 1)], first);
        Assert.Equal([Key(0, 0), Key(1, 0), Key(2, 0), Key(0, 1), Key(1, 1), Key(2, 1)], all);
        Assert.Empty(Eligible(ledger, 0, T0));
        Assert.Equal(6, ledger.Waiting);
        Assert.Equal(0, ledger.Executing);
        Assert.Equal(2, ledger.PlannedReplications);
    }

    [Fact]
    public void Dispatched_Runs_AreExecutingAndNotHandedOutAgain()
    {
        var ledger = Ledger(scenarios: 3, replications: 2);

        var dispatched = Dispatch(ledger, 4, SiloA, T0);
        var rest = Eligible(ledger, 100, T0);

        Assert.Equal(4, dispatched.Count);
        Assert.Equal(4, ledger.Executing);
        Assert.Equal(2, ledger.Waiting);
        Assert.Equal([Key(1, 1), Key(2, 1)], rest);
        Assert.All(dispatched, k => Assert.Equal(1, ledger.AttemptsOf(k)));
        Assert.False(ledger.AllFinished);
    }

    [Fact]
    public void MarkDone_ReportedTwice_CountsOnce()
    {
        var ledger = Ledger(scenarios: 2, replications: 1);
        var keys = Dispatch(ledger, 2, SiloA, T0);

        var first = ledger.MarkDone(keys[0], "silo-a");
        var second = ledger.MarkDone(keys[0], "silo-b");
        var unplanned = ledger.MarkDone(Key(0, 5), "silo-a");

        Assert.True(first);
        Assert.False(second, "a second report of a done run must not count it again");
        Assert.False(unplanned, "a run that is not planned cannot be done");
        Assert.Equal(1, ledger.Done);
        Assert.Equal(1, ledger.Executing);
        Assert.Equal([new SiloShare("silo-a", Executing: 1, Done: 1)], ledger.Shares());
        Assert.False(ledger.AllFinished);
        Assert.True(ledger.MarkDone(keys[1], "silo-a"));
        Assert.True(ledger.AllFinished);
    }

    [Fact]
    public void MarkDone_WaitingRun_IsDoneWithoutBeingHandedOut()
    {
        // A run grain that finished an attempt the batch had lost track of reports it done: the batch takes it.
        var ledger = Ledger(scenarios: 1, replications: 2);

        Assert.True(ledger.MarkDone(Key(0, 0), null));

        Assert.Equal([Key(0, 1)], Eligible(ledger, 10, T0));
        Assert.Equal(1, ledger.Done);
        Assert.Equal(1, ledger.Waiting);
        Assert.Empty(ledger.Shares());
    }

    [Fact]
    public void AttemptFailed_BeforeRetryAt_WaitsThenIsEligibleAgain()
    {
        var ledger = Ledger(scenarios: 1, replications: 2);
        var key = Dispatch(ledger, 1, SiloA, T0).Single();
        var retryAt = T0 + RunLedger.RetryBackoff(1);

        var gaveUp = ledger.AttemptFailed(key, 1, "boom", retryAt);

        Assert.False(gaveUp);
        Assert.Equal(2, ledger.Waiting);
        Assert.Equal(0, ledger.Executing);
        Assert.Equal([Key(0, 1)], Eligible(ledger, 10, retryAt - TimeSpan.FromTicks(1)));
        Assert.Equal([key, Key(0, 1)], Eligible(ledger, 10, retryAt));
        Assert.Equal(1, ledger.AttemptsOf(key));
    }

    [Fact]
    public void AttemptFailed_LastAttempt_GivesUpAndReturnsTrue()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        var key = Key(0, 0);
        var now = T0;
        var outcomes = new List<bool?>();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            Assert.Equal([key], Eligible(ledger, 1, now));
            ledger.Dispatched(key, attempt, SiloA, now);
            outcomes.Add(ledger.AttemptFailed(key, attempt, $"boom {attempt}", now + RunLedger.RetryBackoff(attempt)));
            now += RunLedger.RetryBackoff(attempt);
        }

        Assert.Equal([false, false, true], outcomes);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal(0, ledger.Waiting);
        Assert.True(ledger.AllFinished);
        Assert.Empty(Eligible(ledger, 10, now + TimeSpan.FromHours(1)));
        Assert.Null(ledger.AttemptFailed(key, MaxAttempts, "late", now));
    }

    [Fact]
    public void Eligible_RunWhoseAttemptsAreUsedUp_IsReturnedAsExhaustedNotHandedOut()
    {
        // Its silos died with the batch's own silo on every attempt: the store counted the attempts, nobody reported.
        var ledger = Ledger(scenarios: 2, replications: 1);
        ledger.Load([
            new RunState(0, 0, StoredRunState.Pending, MaxAttempts, "its silo died"),
            new RunState(1, 0, StoredRunState.Pending, MaxAttempts - 1, null),
        ]);
        var exhausted = new List<RunKey>();

        var keys = ledger.Eligible(10, T0, exhausted, siloIdle: true);
        var error = ledger.GiveUp(exhausted.Single(), "fallback");

        Assert.Equal([Key(1, 0)], keys);
        Assert.Equal([Key(0, 0)], exhausted);
        Assert.Equal("its silo died", error);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal(1, ledger.Waiting);
        Assert.Equal([Key(1, 0)], Eligible(ledger, 10, T0));
    }

    [Fact]
    public void Eligible_RunOnItsLastAttempt_GoesOnlyToAnIdleSilo_AndAlone()
    {
        // Lost twice with silos that died (a neighbour may have killed them): its last attempt runs by itself.
        var ledger = Ledger(scenarios: 3, replications: 1);
        ledger.Load([
            new RunState(0, 0, StoredRunState.Pending, MaxAttempts - 1, "its silo died"),
            new RunState(1, 0, StoredRunState.Pending, 1, "its silo died"),
            new RunState(2, 0, StoredRunState.Pending, 0, null),
        ]);

        Assert.Equal([Key(1, 0), Key(2, 0)], Eligible(ledger, 10, T0, siloIdle: false));
        Assert.Equal([Key(0, 0)], Eligible(ledger, 10, T0, siloIdle: true));
        Assert.True(ledger.IsLastAttempt(MaxAttempts));
        Assert.False(ledger.IsLastAttempt(MaxAttempts - 1));

        // Behind runs already chosen for this silo, it waits for the next idle claim rather than join them.
        var fresh = Ledger(scenarios: 2, replications: 1);
        fresh.Load([new RunState(1, 0, StoredRunState.Pending, MaxAttempts - 1, "its silo died")]);
        Assert.Equal([Key(0, 0)], Eligible(fresh, 10, T0, siloIdle: true));
        fresh.Dispatched(Key(0, 0), 1, SiloA, T0);
        Assert.Equal([Key(1, 0)], Eligible(fresh, 10, T0, siloIdle: true));
    }

    [Fact]
    public void IsLastAttempt_WithOneAttemptAllowed_NeverHoldsASiloAlone()
    {
        // No retry to protect: every run would otherwise execute alone.
        var ledger = new RunLedger(Batch, scenarios: 2, maxAttempts: 1);
        ledger.Plan(1);

        Assert.False(ledger.IsLastAttempt(1));
        Assert.Equal([Key(0, 0), Key(1, 0)], Eligible(ledger, 10, T0, siloIdle: false));
    }

    [Fact]
    public void GiveUp_RunWithoutAnError_RecordsTheFallback()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        ledger.Load([new RunState(0, 0, StoredRunState.Pending, MaxAttempts, null)]);
        var exhausted = new List<RunKey>();

        Assert.Empty(ledger.Eligible(10, T0, exhausted, siloIdle: true));
        Assert.Equal("fallback", ledger.GiveUp(Assert.Single(exhausted), "fallback"));
        Assert.True(ledger.AllFinished);
    }

    [Fact]
    public void Released_CurrentAttempt_GivesTheAttemptBackAndIsEligibleAtOnce()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        var key = Dispatch(ledger, 1, SiloA, T0).Single();
        var later = T0 + TimeSpan.FromSeconds(3);

        var released = ledger.Released(key, 1, later);

        Assert.Equal(RunLedger.Release.Requeued, released);
        Assert.Equal(0, ledger.AttemptsOf(key));
        Assert.Equal(1, ledger.Waiting);
        Assert.Equal(0, ledger.Executing);
        Assert.Equal([key], Eligible(ledger, 1, later));
        Assert.Empty(ledger.ExecutingOn(SiloA.SiloAddress));
    }

    [Fact]
    public void Released_ManyTimes_NeverGivesTheRunUp()
    {
        // A run given back by every silo that stops is not a poison run: it never runs out of attempts.
        var ledger = Ledger(scenarios: 1, replications: 1);
        var key = Key(0, 0);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal([key], Eligible(ledger, 1, T0));
            ledger.Dispatched(key, 1, SiloA, T0);
            Assert.Equal(RunLedger.Release.Requeued, ledger.Released(key, 1, T0));
        }

        Assert.Equal(0, ledger.Failed);
        Assert.Equal(0, ledger.AttemptsOf(key));
    }

    /// <summary>
    /// A failure report of an older dispatch is ignored; a release of an older dispatch (the run was dispatched again
    /// meanwhile) gives its attempt back but leaves the current dispatch executing.
    /// </summary>
    [Fact]
    public void Reports_OfAnOlderAttempt_AreIgnored_ButItsReleaseReturnsTheAttempt()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        var key = Key(0, 0);
        ledger.Dispatched(key, 1, SiloA, T0);
        Assert.False(ledger.AttemptFailed(key, 1, "lost", T0));
        ledger.Dispatched(key, 2, SiloB, T0);

        var failed = ledger.AttemptFailed(key, 1, "late report of attempt 1", T0);
        var released = ledger.Released(key, 1, T0);
        var future = ledger.AttemptFailed(key, 3, "attempt 3 was never dispatched", T0);

        Assert.Null(failed);
        Assert.Equal(RunLedger.Release.Returned, released);
        Assert.Null(future);
        Assert.Equal(1, ledger.Executing);
        Assert.Equal(1, ledger.AttemptsOf(key));
        Assert.Equal([(key, 2)], ledger.ExecutingOn(SiloB.SiloAddress));

        // The current dispatch still reports under its own number.
        Assert.Equal(RunLedger.Release.Requeued, ledger.Released(key, 2, T0));
        Assert.Equal(0, ledger.AttemptsOf(key));
        Assert.Empty(ledger.ExecutingOn(SiloA.SiloAddress));
    }

    [Fact]
    public void Reports_ForAWaitingRun_AreIgnored()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);

        Assert.Null(ledger.AttemptFailed(Key(0, 0), 0, "never dispatched", T0));
        Assert.Equal(RunLedger.Release.Ignored, ledger.Released(Key(0, 0), 0, T0));
        Assert.Equal(1, ledger.Waiting);
        Assert.Equal(0, ledger.AttemptsOf(Key(0, 0)));
    }

    [Fact]
    public void ExecutingOn_Silo_ListsOnlyThatSilosRunsReplicationMajor()
    {
        var ledger = Ledger(scenarios: 2, replications: 3);
        var toA = Dispatch(ledger, 3, SiloA, T0);
        var toB = Dispatch(ledger, 2, SiloB, T0);
        ledger.MarkDone(toA[1], SiloA.SiloName);

        var onA = ledger.ExecutingOn(SiloA.SiloAddress);
        var onB = ledger.ExecutingOn(SiloB.SiloAddress);

        Assert.Equal([(Key(0, 0), 1), (Key(0, 1), 1)], onA);
        Assert.Equal([(Key(1, 1), 1), (Key(0, 2), 1)], onB);
        Assert.Empty(ledger.ExecutingOn("127.0.0.1:1@1"));
        Assert.Equal([SiloA.SiloAddress, SiloB.SiloAddress], ledger.ExecutingSilos().Order(StringComparer.Ordinal));
        Assert.Equal(toB, onB.Select(r => r.Key));
    }

    [Fact]
    public void Shares_PerSilo_CountExecutingAndDoneInNameOrder()
    {
        var ledger = Ledger(scenarios: 2, replications: 3);
        var toB = Dispatch(ledger, 2, SiloB, T0);
        var toA = Dispatch(ledger, 3, SiloA, T0);
        ledger.MarkDone(toB[0], SiloB.SiloName);
        ledger.MarkDone(toA[0], SiloA.SiloName);
        ledger.MarkDone(toA[1], SiloA.SiloName);

        Assert.Equal([new SiloShare("silo-a", 1, 2), new SiloShare("silo-b", 1, 1)], ledger.Shares());
    }

    [Fact]
    public void Load_StoredStates_RebuildsCountsAttemptsAndOrder()
    {
        var ledger = Ledger(scenarios: 2, replications: 3);
        ledger.Load([
            new RunState(0, 0, StoredRunState.Done, 1, null),
            new RunState(1, 0, StoredRunState.Failed, 3, "ScenarioRejectedException: unknown carrier"),
            new RunState(0, 1, StoredRunState.Pending, 2, "its silo died"),
            new RunState(1, 1, StoredRunState.Pending, 0, null),
            new RunState(0, 2, StoredRunState.Done, 2, null),
            new RunState(1, 2, StoredRunState.Pending, 1, null),
        ]);

        Assert.Equal(2, ledger.Done);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal(3, ledger.Waiting);
        Assert.Equal(0, ledger.Executing);
        Assert.False(ledger.AllFinished);
        Assert.Equal(2, ledger.AttemptsOf(Key(0, 1)));
        Assert.Equal([(Key(0, 1), 2), (Key(1, 2), 1)], ledger.WaitingWithAttempts());
        // Run 0/1 is down to its last attempt: a busy silo gets the others, an idle one gets it alone.
        Assert.Equal([Key(1, 1), Key(1, 2)], Eligible(ledger, 10, T0, siloIdle: false));
        Assert.Equal([Key(0, 1)], Eligible(ledger, 10, T0, siloIdle: true));
        Assert.Empty(ledger.Shares());
    }

    [Fact]
    public void Load_StatesBeyondThePlan_ExtendTheLedger()
    {
        // The store planned a precision round that the batch record did not show yet.
        var ledger = Ledger(scenarios: 2, replications: 1);

        ledger.Load([new RunState(1, 3, StoredRunState.Done, 1, null)]);

        Assert.Equal(4, ledger.PlannedReplications);
        Assert.Equal(1, ledger.Done);
        Assert.Equal(7, ledger.Waiting);
    }

    [Fact]
    public void Load_PendingRunWithAnError_GivesItsErrorUpWhenExhausted()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        ledger.Load([new RunState(0, 0, StoredRunState.Pending, MaxAttempts, "ScenarioRejectedException: boom")]);
        var exhausted = new List<RunKey>();

        ledger.Eligible(1, T0, exhausted, siloIdle: true);

        Assert.Equal("ScenarioRejectedException: boom", ledger.GiveUp(Assert.Single(exhausted), "fallback"));
    }

    [Fact]
    public void FoundExecuting_WaitingRun_IsFollowedOnItsSiloNotHandedOutAgain()
    {
        var ledger = Ledger(scenarios: 1, replications: 2);
        ledger.Load([new RunState(0, 0, StoredRunState.Pending, 1, null), new RunState(0, 1, StoredRunState.Done, 1, null)]);

        ledger.FoundExecuting(Key(0, 0), 2, "silo-b", SiloB.SiloAddress, T0);

        Assert.Equal(1, ledger.Executing);
        Assert.Equal(0, ledger.Waiting);
        Assert.Equal(2, ledger.AttemptsOf(Key(0, 0)));
        Assert.Empty(Eligible(ledger, 10, T0));
        Assert.Equal([(Key(0, 0), 2)], ledger.ExecutingOn(SiloB.SiloAddress));
        Assert.Equal([new SiloShare("silo-b", 1, 0)], ledger.Shares());

        // Its report is of the attempt found, so it counts.
        Assert.False(ledger.AttemptFailed(Key(0, 0), 2, "boom", T0));
        Assert.Equal(1, ledger.Waiting);
    }

    [Fact]
    public void FoundExecuting_RunThatIsNotWaiting_IsIgnored()
    {
        var ledger = Ledger(scenarios: 1, replications: 1);
        ledger.Load([new RunState(0, 0, StoredRunState.Done, 1, null)]);

        ledger.FoundExecuting(Key(0, 0), 1, "silo-b", SiloB.SiloAddress, T0);

        Assert.Equal(1, ledger.Done);
        Assert.Equal(0, ledger.Executing);
        Assert.True(ledger.AllFinished);
    }

    [Fact]
    public void Plan_MoreReplications_ExtendsAfterThePlannedRunsAndNeverShrinks()
    {
        var ledger = Ledger(scenarios: 2, replications: 1);
        foreach (var key in Dispatch(ledger, 2, SiloA, T0))
        {
            ledger.MarkDone(key, SiloA.SiloName);
        }

        Assert.True(ledger.AllFinished);

        ledger.Plan(3);
        ledger.Plan(2);

        Assert.False(ledger.AllFinished);
        Assert.Equal(3, ledger.PlannedReplications);
        Assert.Equal(4, ledger.Waiting);
        Assert.Equal([Key(0, 1), Key(1, 1), Key(0, 2), Key(1, 2)], Eligible(ledger, 10, T0));
    }

    [Fact]
    public void Stale_ExecutingRunsWithoutNews_ListedAfterTheQuietPeriodUntilHeard()
    {
        var quiet = TimeSpan.FromSeconds(15);
        var ledger = Ledger(scenarios: 2, replications: 1);
        var keys = Dispatch(ledger, 2, SiloA, T0);

        Assert.Empty(ledger.Stale(T0 + quiet - TimeSpan.FromTicks(1), quiet));
        Assert.Equal(2, ledger.Stale(T0 + quiet, quiet).Count);

        ledger.Heard(keys[0], T0 + quiet);

        Assert.Equal([(keys[1], 1)], ledger.Stale(T0 + quiet, quiet));
    }

    [Fact]
    public void Eligible_HundredThousandRuns_LooksAtEachRunOnce()
    {
        const int scenarios = 4;
        const int replications = 25_000;
        const int runs = scenarios * replications;
        var ledger = Ledger(scenarios, replications);
        var handedOut = 0;
        var expectedIndex = 0;
        var claims = 0;

        // A cluster's rhythm: silos claim a few runs at a time; every run finishes before the end.
        while (!ledger.AllFinished)
        {
            var keys = Dispatch(ledger, 8, claims % 2 == 0 ? SiloA : SiloB, T0);
            claims++;
            foreach (var key in keys)
            {
                Assert.Equal(ledger.Key(expectedIndex++), key);
                ledger.MarkDone(key, claims % 2 == 0 ? SiloB.SiloName : SiloA.SiloName);
            }

            handedOut += keys.Count;
            Assert.True(claims <= runs, "the ledger stopped handing out runs before every run finished");
        }

        Assert.Equal(runs, handedOut);
        Assert.Equal(runs, ledger.Done);
        Assert.Equal(runs / 8, claims);

        // Each run was looked at when it was handed out and never again: the work is linear in the runs.
        Assert.Equal(runs, ledger.Examined);
    }

    [Fact]
    public void Eligible_HundredThousandRunsWithFailures_WorkStaysLinear()
    {
        const int scenarios = 4;
        const int replications = 25_000;
        const int runs = scenarios * replications;
        var ledger = Ledger(scenarios, replications);
        var now = T0;
        var attemptsDispatched = 0;

        // Every 10th run fails its first attempt and waits its backoff; the clock moves 0.1 s per claim of 16.
        while (!ledger.AllFinished)
        {
            var keys = Dispatch(ledger, 16, SiloA, now);
            attemptsDispatched += keys.Count;
            foreach (var key in keys)
            {
                var attempt = ledger.AttemptsOf(key);
                if (attempt == 1 && (key.Replication % 10) == 0)
                {
                    Assert.False(ledger.AttemptFailed(key, attempt, "boom", now + RunLedger.RetryBackoff(attempt)));
                }
                else
                {
                    Assert.True(ledger.MarkDone(key, SiloA.SiloName));
                }
            }

            now += TimeSpan.FromSeconds(0.1);
            Assert.True(attemptsDispatched <= 2 * runs, "runs were handed out more often than they failed");
        }

        Assert.Equal(runs, ledger.Done);
        Assert.Equal(runs + (runs / 10), attemptsDispatched);

        // A run waiting out its backoff is looked at on each claim until it may go: at most 5 claims (0.5 s / 0.1 s)
        // per failure, beyond the once per attempt that every run gets.
        Assert.InRange(ledger.Examined, attemptsDispatched, attemptsDispatched + (6 * (runs / 10)));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.5)]
    [InlineData(2, 1.0)]
    [InlineData(3, 2.0)]
    [InlineData(4, 4.0)]
    [InlineData(5, 8.0)]
    [InlineData(6, 16.0)]
    [InlineData(7, 30.0)]
    [InlineData(8, 30.0)]
    [InlineData(255, 30.0)]
    public void RetryBackoff_Attempts_DoublesFromHalfASecondCappedAtThirtySeconds(int attempts, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RunLedger.RetryBackoff(attempts));
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunLedger(Batch, 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunLedger(Batch, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunLedger(Batch, 1, 256));
    }
}
