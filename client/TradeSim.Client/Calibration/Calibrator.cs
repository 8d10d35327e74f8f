using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Client.Statistics;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Calibration;

/// <summary>A fitted parameter: its definition, the value the scenario file gives, and the value the fit found.</summary>
internal sealed record FittedParameter(CalibrationParameterDefinition Definition, double FileValue, double Fitted)
{
    public double Change => FileValue == 0 ? double.NaN : (Fitted - FileValue) / FileValue;
}

/// <summary>What the fit did: the parameters, how many targets it fitted them to, what it cost and why it stopped.</summary>
internal sealed record CalibrationFitSummary(IReadOnlyList<FittedParameter> Parameters, int FittedTargets, int Evaluations, int Runs, string Stopped)
{
    /// <summary>As many parameters as fitted targets (or more): the fitted targets are met by construction and test nothing.</summary>
    public bool ExactlyIdentified => Parameters.Count >= FittedTargets;
}

/// <summary>
/// Runs a scenario's calibration: measures its targets over their periods on paired replications (the same seeds at
/// every parameter value), fits the declared parameters to the targets that are not held out, and measures every target
/// at the fitted values. Fitted values enter the runs as layers `--fit PATH=VALUE` above the scenario's files.
/// </summary>
internal sealed class Calibrator(ReplicationRunner runner, CalibrationDefinition calibration, IReadOnlyList<ScenarioSource> layers, ulong seed, int replications)
{
    /// <summary>Calibration replications run in parallel at a time: enough to keep any machine's cores busy.</summary>
    private const int Block = 256;

    public int Runs { get; private set; }

    /// <summary>The scenario's layers with the parameters set to <paramref name="values"/>.</summary>
    public IReadOnlyList<ScenarioSource> WithValues(IReadOnlyList<CalibrationParameterDefinition> parameters, IReadOnlyList<double> values) =>
        [.. layers, .. parameters.Select((p, i) => new ScenarioOverride("--fit", p.Path, values[i].ToString("R", CultureInfo.InvariantCulture)).ToLayer())];

    /// <summary>
    /// Every target measured over its own period on <paramref name="at"/>. Each period's replications run in parallel a
    /// block at a time and are added in replication order, so memory holds one block's measures, not every run's result,
    /// and the sums are the same on any number of cores.
    /// </summary>
    public CalibrationTally Measure(IReadOnlyList<ScenarioSource> at)
    {
        var tally = new CalibrationTally(calibration);
        var periods = tally.Groups.Select(g => new RunSettingsOverride(Start: g.Period.From, Days: g.Period.Days)).ToList();
        var block = new double[Math.Min(replications, Block)][];

        // Runs are CPU-bound: as many at once as there are cores. Left to itself the thread pool adds threads while long
        // runs hold its workers, and each thread holds a run's memory: under a 32 MB heap that ran out.
        var cores = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        for (var group = 0; group < periods.Count; group++)
        {
            var g = group;
            for (var start = 0; start < replications; start += block.Length)
            {
                var count = Math.Min(block.Length, replications - start);
                var first = start;
                Parallel.For(0, count, cores, i => block[i] = tally.Measure(g, runner.Run(new RunRequest(at, seed, first + i, periods[g]))));
                for (var i = 0; i < count; i++)
                {
                    tally.Add(g, block[i]);
                }
            }

            Runs += replications;
        }

        return tally;
    }

    /// <summary>
    /// Fits <paramref name="parameters"/> (starting from <paramref name="start"/>) to the targets not held out, to a
    /// relative error of <paramref name="tolerance"/> each where the parameters can reach it.
    /// </summary>
    public (double[] Values, CalibrationFitSummary Summary) Fit(IReadOnlyList<CalibrationParameterDefinition> parameters, double[] start, double tolerance, int maxIterations)
    {
        var fitted = Enumerable.Range(0, calibration.Targets.Count).Where(i => !calibration.Targets[i].HeldOut).ToArray();
        var observed = fitted.Select(i => calibration.Targets[i].Observed).ToArray();
        double[] Evaluate(double[] values)
        {
            var rows = Measure(WithValues(parameters, values)).Report(string.Empty, seed, 0).Rows;
            return [.. fitted.Select(i => rows[i].Modelled.Mean)];
        }

        var outcome = CalibrationFit.Fit([.. parameters.Select(p => new FitParameter(p.Path, p.Min, p.Max))], start, observed, Evaluate, tolerance, maxIterations);
        var summary = new CalibrationFitSummary(
            [.. parameters.Select((p, j) => new FittedParameter(p, start[j], outcome.Values[j]))],
            fitted.Length,
            outcome.Evaluations,
            Runs,
            outcome.Stopped);
        return (outcome.Values, summary);
    }

    /// <summary>
    /// The number at <paramref name="path"/> in the merged layers, or null with the reason (no such key; not a number).
    /// </summary>
    public static double? ValueAt(IReadOnlyList<ScenarioSource> layers, string path, out string problem)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(path);
        problem = string.Empty;
        var node = ScenarioOverrides.Merged(layers);
        foreach (var key in path.Split('.'))
        {
            if (node is not YamlMapping map || map.Get(key) is not { } next)
            {
                problem = $"the scenario has no '{key}' at {path}";
                return null;
            }

            node = next;
        }

        if (node is YamlScalar { IsPlain: true } scalar && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problem = $"{path} is {node!.KindName}, not a number";
        return null;
    }

    /// <summary>The 95% prediction interval of one more replication: where an observation lies if the model is right.</summary>
    public static (double Low, double High) PredictionInterval(Summary modelled)
    {
        if (modelled.N < 2)
        {
            return (double.NaN, double.NaN);
        }

        var half = Summary.StudentQuantile(modelled.N - 1) * modelled.StandardDeviation * Math.Sqrt(1 + (1.0 / modelled.N));
        return (modelled.Mean - half, modelled.Mean + half);
    }
}
