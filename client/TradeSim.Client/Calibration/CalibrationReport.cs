using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Calibration;

/// <summary>One calibration target: what was observed, what the replications give, and how far apart they are.</summary>
internal sealed record CalibrationRow(CalibrationTargetDefinition Target, Summary Modelled)
{
    public double RelativeError => (Modelled.Mean - Target.Observed) / Target.Observed;
}

/// <summary>The comparison of a scenario's replications with the observed figures of its `calibration:` section.</summary>
internal sealed record CalibrationReport(string Scenario, CalibrationDefinition Period, ulong Seed, int Replications, double Tolerance, IReadOnlyList<CalibrationRow> Rows)
{
    public bool AllWithinTolerance => Rows.All(IsWithinTolerance);

    public bool IsWithinTolerance(CalibrationRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Math.Abs(row.RelativeError) <= Tolerance;
    }
}

/// <summary>
/// The calibration targets' values over replications, kept as running sums: each run is measured as soon as it ends
/// and its result dropped, so calibrating with 100,000 replications takes the memory of calibrating with one.
/// </summary>
internal sealed class CalibrationTally(CalibrationDefinition calibration)
{
    private readonly RunningMoments[] _targets = new RunningMoments[calibration.Targets.Count];
    private int _runs;

    /// <summary>Every target measured on one run (thread-safe: it reads only the run).</summary>
    public double[] Measure(RunResult result)
    {
        var values = new double[_targets.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = CalibrationMetrics.Measure(calibration.Targets[i], result);
        }

        return values;
    }

    /// <summary>Adds one run's measures; runs must be added in replication order.</summary>
    public void Add(double[] measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        _runs++;
        for (var i = 0; i < _targets.Length; i++)
        {
            _targets[i].Add(measured[i]);
        }
    }

    public CalibrationReport Report(string scenario, ulong seed, double tolerance)
    {
        var rows = calibration.Targets.Select((t, i) => new CalibrationRow(t, Summary.From(_targets[i]))).ToList();
        return new CalibrationReport(scenario, calibration, seed, _runs, tolerance, rows);
    }
}
