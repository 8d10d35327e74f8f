using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Calibration;

/// <summary>Measures a calibration target on one run's result.</summary>
internal static class CalibrationMetrics
{
    public static double Measure(CalibrationTargetDefinition target, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(result);
        var gate = result.Gates.First(g => g.Id == target.Gate);
        var traffic = target.Traffic?.ToString().ToLowerInvariant();
        return target.Metric switch
        {
            CalibrationMetric.LoadedCrossings => traffic is null ? gate.LoadedTrucks : gate.LoadedTrucksByTraffic[traffic],
            CalibrationMetric.Tonnes => traffic is null ? gate.Tonnes : gate.TonnesByTraffic[traffic],
            CalibrationMetric.ImportValueShare => ImportShare(gate, target.Importer!),
            CalibrationMetric.PersonCrossings => target.Nationality is { } n ? gate.PersonCrossingsByNationality.GetValueOrDefault(n) : gate.PersonCrossings,
            CalibrationMetric.VehicleCrossings => gate.VehicleCrossings,
            CalibrationMetric.Declarations => gate.TransitDeclarations,
            CalibrationMetric.ValueUsd => gate.ValueUsd,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target.Metric, "unknown calibration metric"),
        };
    }

    private static double ImportShare(GateResult gate, string importer)
    {
        var total = gate.ValueImportedByCountry.Values.Sum();
        return total == 0 ? 0 : gate.ValueImportedByCountry.GetValueOrDefault(importer) / total;
    }
}
