using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Calibration;

/// <summary>One calibration target: what was observed, what the replications give, and how far apart they are.</summary>
internal sealed record CalibrationRow(CalibrationTargetDefinition Target, Summary Modelled)
{
    /// <summary>The period the target was observed, and measured, over.</summary>
    public required CalibrationPeriod Period { get; init; }

    public double RelativeError => (Modelled.Mean - Target.Observed) / Target.Observed;
}

/// <summary>The comparison of a scenario's replications with the observed figures of its `calibration:` section.</summary>
internal sealed record CalibrationReport(string Scenario, CalibrationDefinition Period, ulong Seed, int Replications, double Tolerance, IReadOnlyList<CalibrationRow> Rows)
{
    /// <summary>The fit that set the parameters before the targets were measured; null with no parameters or `--no-fit`.</summary>
    public CalibrationFitSummary? Fit { get; init; }

    /// <summary>Whether every target but the held-out ones is within the tolerance.</summary>
    public bool AllWithinTolerance => Rows.Where(r => !r.Target.HeldOut).All(IsWithinTolerance);

    public bool IsWithinTolerance(CalibrationRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Math.Abs(row.RelativeError) <= Tolerance;
    }
}

/// <summary>
/// The calibration targets' values over replications, kept as running sums: each run is measured as soon as it ends
/// and its result dropped, so calibrating with 100,000 replications takes the memory of calibrating with one. Targets
/// observed over different periods are measured on runs of their own period: replication i of each period is one run.
/// </summary>
internal sealed class CalibrationTally(CalibrationDefinition calibration)
{
    private readonly RunningMoments[] _targets = new RunningMoments[calibration.Targets.Count];
    private readonly int[] _runs = new int[calibration.Targets.Count];

    /// <summary>The periods to run, each with the indices of the targets observed over it.</summary>
    public IReadOnlyList<(CalibrationPeriod Period, int[] Targets)> Groups { get; } =
        [.. calibration.Periods().Select(p => (p, Enumerable.Range(0, calibration.Targets.Count).Where(i => calibration.PeriodOf(calibration.Targets[i]) == p).ToArray()))];

    /// <summary>The targets of one period's group measured on a run of that period (thread-safe: it reads only the run).</summary>
    public double[] Measure(int group, RunResult result)
    {
        var targets = Groups[group].Targets;
        var values = new double[targets.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = CalibrationMetrics.Measure(calibration.Targets[targets[i]], result);
        }

        return values;
    }

    /// <summary>Adds one run's measures of a group's targets; each group's runs must be added in replication order.</summary>
    public void Add(int group, double[] measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var targets = Groups[group].Targets;
        for (var i = 0; i < targets.Length; i++)
        {
            _runs[targets[i]]++;
            _targets[targets[i]].Add(measured[i]);
        }
    }

    public CalibrationReport Report(string scenario, ulong seed, double tolerance)
    {
        var rows = calibration.Targets.Select((t, i) => new CalibrationRow(t, Summary.From(_targets[i])) { Period = calibration.PeriodOf(t) }).ToList();
        return new CalibrationReport(scenario, calibration, seed, _runs.DefaultIfEmpty(0).Min(), tolerance, rows);
    }
}
