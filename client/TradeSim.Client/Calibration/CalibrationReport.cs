using TradeSim.Client.Statistics;
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

    public static CalibrationReport Build(string scenario, CalibrationDefinition calibration, ulong seed, double tolerance, IReadOnlyList<RunResult> results)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(results);
        var rows = calibration.Targets
            .Select(t => new CalibrationRow(t, Summary.Of(results.Select(r => CalibrationMetrics.Measure(t, r)).ToList())))
            .ToList();
        return new CalibrationReport(scenario, calibration, seed, results.Count, tolerance, rows);
    }
}
