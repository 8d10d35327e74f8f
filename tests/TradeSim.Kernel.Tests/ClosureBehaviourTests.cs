using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// How carriers meet a 14-day closure of Nam Giang (the landslide's dates), paired runs of seed 1: a planned closure,
/// announced a week ahead, is routed around before it starts; an unplanned one is found by the first trucks, which
/// turn back when waiting costs more, so far fewer trucks sit it out than when every truck waits (the model before
/// issue 12, `turn_back: false`).
/// </summary>
public class ClosureBehaviourTests
{
    private static readonly DateOnly _start = new(2023, 10, 16);

    private static ScenarioDefinition Closed(int noticeDays, bool turnBack)
    {
        var definition = BaselineRuns.WithGate(BaselineRuns.BaselineDefinition, "nam-giang", g => g with { Closures = [new ClosureDefinition(_start, 14, "test") { NoticeDays = noticeDays }] });
        return definition with { Settings = definition.Settings with { TurnBack = turnBack } };
    }

    /// <summary>The run of <paramref name="definition"/> stopped when the closure starts.</summary>
    private static RunResult UntilClosureStarts(ScenarioDefinition definition)
    {
        var simulation = new Simulation(BaselineRuns.Compile(definition), seed: 1, replication: 0);
        var settings = definition.Settings;
        var stepsToStart = (_start.DayNumber - settings.Start.AddDays(-settings.WarmupDays).DayNumber) * 24 * 60 / settings.StepMinutes;
        while (simulation.StepsDone < stepsToStart)
        {
            simulation.Step();
        }

        return simulation.Collect();
    }

    [Fact]
    public void PlannedClosure_AnnouncedAWeekAhead_DivertsTrafficBeforeItStarts()
    {
        var open = UntilClosureStarts(BaselineRuns.BaselineDefinition);
        var unplanned = UntilClosureStarts(Closed(noticeDays: 0, turnBack: true));
        var planned = UntilClosureStarts(Closed(noticeDays: 7, turnBack: true));

        // Nobody knows of an unplanned closure before it happens: up to its start the run is the open gate's, exactly.
        Assert.Equal(open.LegsDiverted, unplanned.LegsDiverted);
        Assert.Equal(open.Gates.Select(g => g.Trucks), unplanned.Gates.Select(g => g.Trucks));

        // Announced, it is routed around by trucks that would reach the gate once it has closed.
        Assert.True(planned.LegsDiverted > open.LegsDiverted, $"legs diverted by the closure's start: {planned.LegsDiverted} when announced a week ahead, {open.LegsDiverted} with no closure");
    }

    [Fact]
    public void UnplannedClosure_TrucksTurnBack_StrandFarFewerThanWhenEveryTruckWaits()
    {
        var waiting = BaselineRuns.Run(Closed(noticeDays: 0, turnBack: false), seed: 1, replication: 0);
        var turning = BaselineRuns.Run(Closed(noticeDays: 0, turnBack: true), seed: 1, replication: 0);
        var strandedWaiting = BaselineRuns.Gate(waiting, "nam-giang").StrandedTruckHours;
        var strandedTurning = BaselineRuns.Gate(turning, "nam-giang").StrandedTruckHours;

        Assert.Equal(0, BaselineRuns.Gate(waiting, "nam-giang").TurnedBackTrucks);
        Assert.True(BaselineRuns.Gate(turning, "nam-giang").TurnedBackTrucks > 0, "no truck turned back from the closed gate");
        Assert.True(turning.Fleets.Sum(f => f.LegsRerouted) > 0, "no leg was rerouted after turning back");

        // Measured: 7,312 truck-hours stranded when every truck waits, 797 when they may turn back (the rest have no
        // other gate allowed for their traffic, or were already past the entry post).
        Assert.True(strandedWaiting > 0, "no truck was stranded when every truck waits");
        Assert.True(strandedTurning < strandedWaiting / 4, $"stranded truck-hours: {strandedTurning:F0} turning back, {strandedWaiting:F0} waiting");
    }

    [Fact]
    public void Closure_StrandedTruckHours_AreZeroWithoutClosuresAndCountOnlyDuringThem()
    {
        var open = BaselineRuns.BaselineSeed1;
        Assert.Equal(0, BaselineRuns.Gate(open, "nam-giang").StrandedTruckHours);
        Assert.Equal(0, BaselineRuns.Gate(open, "nam-giang").TurnedBackTrucks);

        // Stranded truck-hours cannot exceed the closure's hours times the most trucks ever queued there.
        var waiting = BaselineRuns.Run(Closed(noticeDays: 0, turnBack: false), seed: 1, replication: 0);
        var gate = BaselineRuns.Gate(waiting, "nam-giang");
        Assert.InRange(gate.StrandedTruckHours, 1, 14 * 24.0 * (gate.MaxQueue + 2 * 3));
    }
}
