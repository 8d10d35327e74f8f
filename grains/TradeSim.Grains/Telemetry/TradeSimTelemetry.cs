using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace TradeSim.Grains.Telemetry;

/// <summary>
/// TradeSim's instruments and spans, under the meter and activity source named "TradeSim". Everything here is
/// recorded once per run, dispatch or batch, never per simulated step: the kernel's hot loop stays untouched. Wall-clock
/// figures (durations) are telemetry only and never part of a result.
/// </summary>
public static class TradeSimTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "TradeSim";

    /// <summary>The tag that carries a scenario's name.</summary>
    public const string ScenarioTag = "scenario";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Counter<long> RunsStartedCounter = Meter.CreateCounter<long>("tradesim.runs.started", "{run}", "Runs started");
    private static readonly Counter<long> RunsCompletedCounter = Meter.CreateCounter<long>("tradesim.runs.completed", "{run}", "Runs finished to the end");
    private static readonly Counter<long> RunsFailedCounter = Meter.CreateCounter<long>("tradesim.runs.failed", "{run}", "Runs that threw (or could not start)");
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("tradesim.run.duration", "ms", "Wall-clock time of a finished run");
    private static readonly Counter<long> StepsCounter = Meter.CreateCounter<long>("tradesim.steps", "{step}", "Simulated steps, added once per finished run");
    private static readonly Counter<long> TruckStepsCounter = Meter.CreateCounter<long>("tradesim.truck_steps", "{truck_step}", "Simulated steps x trucks, added once per finished run");
    private static readonly Counter<long> DispatchedCounter = Meter.CreateCounter<long>("tradesim.runs.dispatched", "{run}", "Runs handed by a batch to a silo (every attempt)");
    private static readonly Counter<long> LostCounter = Meter.CreateCounter<long>("tradesim.runs.lost", "{run}", "Runs whose silo died while it executed them (each is dispatched again or given up)");
    private static readonly Counter<long> DuplicateCounter = Meter.CreateCounter<long>("tradesim.results.duplicate", "{run}", "Results written again by a duplicate execution (kept once; identical unless tagged otherwise)");

    public static void RunStarted(string scenario) => RunsStartedCounter.Add(1, Scenario(scenario));

    public static void RunCompleted(string scenario, double durationMs, long steps, long truckSteps)
    {
        var tag = Scenario(scenario);
        RunsCompletedCounter.Add(1, tag);
        RunDuration.Record(durationMs, tag);
        StepsCounter.Add(steps, tag);
        TruckStepsCounter.Add(truckSteps, tag);
    }

    public static void RunFailed(string scenario) => RunsFailedCounter.Add(1, Scenario(scenario));

    public static void RunsDispatched(int count) => DispatchedCounter.Add(count);

    public static void RunLost() => LostCounter.Add(1);

    public static void DuplicateResult(bool identical) => DuplicateCounter.Add(1, new KeyValuePair<string, object?>("identical", identical));

    /// <summary>A "run" span (null when nobody listens).</summary>
    public static Activity? StartRun(string scenario, int replication, ulong seed)
    {
        var activity = ActivitySource.StartActivity("run");
        if (activity is not null)
        {
            activity.SetTag(ScenarioTag, scenario);
            activity.SetTag("replication", replication);
            activity.SetTag("seed", seed.ToString(CultureInfo.InvariantCulture));
        }

        return activity;
    }

    /// <summary>A "batch" span (null when nobody listens).</summary>
    public static Activity? StartBatch(long batchId, IEnumerable<string> scenarios, int replications)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var activity = ActivitySource.StartActivity("batch");
        if (activity is not null)
        {
            activity.SetTag("batch", batchId);
            activity.SetTag("scenarios", string.Join(",", scenarios));
            activity.SetTag("replications", replications);
        }

        return activity;
    }

    private static KeyValuePair<string, object?> Scenario(string scenario) => new(ScenarioTag, scenario);
}
