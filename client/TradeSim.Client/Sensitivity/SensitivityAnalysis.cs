using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Randomness;

namespace TradeSim.Client.Sensitivity;

/// <summary>
/// One input's effect on one KPI: μ* (the mean absolute elementary effect), μ (the mean, whose sign is the direction),
/// σ (the elementary effects' standard deviation: interaction or non-linearity), each in the KPI's unit for moving the
/// input across its whole range, and μ*'s 95% bootstrap interval. <see cref="Effects"/> is how many trajectories gave
/// an elementary effect (a KPI with no data at a point gives none).
/// </summary>
internal sealed record InputEffect(SensitivityInput Input, int Rank, double MuStar, double Mu, double Sigma, double MuStarLow, double MuStarHigh, int Effects);

/// <summary>The inputs ranked by μ* on one KPI (the largest first; ties in the order the inputs were listed).</summary>
internal sealed record KpiSensitivity(string Kpi, IReadOnlyList<InputEffect> Ranked);

/// <summary>A stored sensitivity batch read back: the plan, the batch, the replications every design point finished, and the rankings.</summary>
internal sealed record SensitivityResult(SensitivityPlan Plan, BatchRecord Batch, int Replications, IReadOnlyList<KpiSensitivity> Kpis);

/// <summary>
/// The elementary effects of a stored sensitivity batch. The response at a design point is the KPI's mean over the
/// replications that finished at every design point (with `--versus`, the mean paired difference scenario − compared
/// scenario, replication by replication), summed in replication order. Every design point runs the same seeds (common
/// random numbers), so an input that changes nothing gives the same responses to the last bit and μ* = 0 exactly. An
/// elementary effect is the change of the response over the change of the input, the latter as a fraction of its range
/// (its actual value there, after rounding), so it reads as the KPI's change for moving the input across its range.
/// </summary>
internal static class SensitivityAnalysis
{
    /// <summary>Bootstrap resamples of the trajectories for μ*'s interval.</summary>
    public const int BootstrapResamples = 2000;

    public const double Confidence = 0.95;

    public static SensitivityResult Analyse(IResultStore store, long batchId, SensitivityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(plan);
        var batch = store.LoadBatch(batchId);
        var kpis = plan.Request.Kpis;
        var points = plan.Points.Count;
        var sums = new double[points, kpis.Count];
        var counts = new int[points, kpis.Count];
        var replications = 0;
        foreach (var replication in ReplicationPages.Complete(store, batchId, plan.Scenarios.Count, batch.PlannedReplications, withQueues: false))
        {
            replications++;
            for (var p = 0; p < points; p++)
            {
                var runs = replication.RunsByPosition;
                for (var k = 0; k < kpis.Count; k++)
                {
                    if (!runs[plan.ScenarioPosition(p)].Kpis.TryGetValue(kpis[k], out var value))
                    {
                        continue;
                    }

                    if (plan.VersusName is not null)
                    {
                        if (!runs[plan.VersusPosition(p)].Kpis.TryGetValue(kpis[k], out var other))
                        {
                            continue;
                        }

                        value -= other;
                    }

                    sums[p, k] += value;
                    counts[p, k]++;
                }
            }
        }

        var result = new List<KpiSensitivity>(kpis.Count);
        for (var k = 0; k < kpis.Count; k++)
        {
            var response = new double[points];
            for (var p = 0; p < points; p++)
            {
                response[p] = counts[p, k] == 0 ? double.NaN : sums[p, k] / counts[p, k];
            }

            result.Add(new KpiSensitivity(kpis[k], Rank(plan, ElementaryEffects(plan, response), batch.Spec.Seed)));
        }

        return new SensitivityResult(plan, batch, replications, result);
    }

    /// <summary>effects[input][trajectory]: the elementary effect, NaN where a response had no data.</summary>
    public static double[][] ElementaryEffects(SensitivityPlan plan, IReadOnlyList<double> response)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(response);
        var inputs = plan.Inputs.Count;
        var trajectories = plan.Design.Trajectories.Count;
        var effects = new double[inputs][];
        for (var j = 0; j < inputs; j++)
        {
            effects[j] = new double[trajectories];
        }

        for (var t = 0; t < trajectories; t++)
        {
            var first = t * (inputs + 1);
            var changed = plan.Design.Trajectories[t].Changed;
            for (var m = 1; m <= inputs; m++)
            {
                var j = changed[m - 1];
                var input = plan.Inputs[j];
                var dx = input.FractionOf(plan.Points[first + m].Values[j]) - input.FractionOf(plan.Points[first + m - 1].Values[j]);
                effects[j][t] = (response[first + m] - response[first + m - 1]) / dx;
            }
        }

        return effects;
    }

    private static List<InputEffect> Rank(SensitivityPlan plan, double[][] effects, ulong seed)
    {
        var trajectories = plan.Design.Trajectories.Count;

        // One set of resamples for every input, drawn from a stream of its own: the interval is reproducible.
        var random = RandomStream.For(seed, 0, "sensitivity", "bootstrap");
        var resamples = new int[BootstrapResamples][];
        for (var b = 0; b < BootstrapResamples; b++)
        {
            resamples[b] = new int[trajectories];
            for (var i = 0; i < trajectories; i++)
            {
                resamples[b][i] = (int)Math.Min(trajectories - 1, Math.Floor(random.NextDouble() * trajectories));
            }
        }

        var rows = new List<(int Index, InputEffect Effect)>();
        for (var j = 0; j < plan.Inputs.Count; j++)
        {
            var e = effects[j];
            var valid = e.Where(double.IsFinite).ToList();
            var muStar = valid.Count == 0 ? double.NaN : valid.Average(Math.Abs);
            var mu = valid.Count == 0 ? double.NaN : valid.Average();
            var sigma = valid.Count < 2 ? double.NaN : Math.Sqrt(valid.Sum(x => (x - mu) * (x - mu)) / (valid.Count - 1));
            var boot = new List<double>(BootstrapResamples);
            foreach (var sample in resamples)
            {
                var sum = 0.0;
                var n = 0;
                foreach (var t in sample)
                {
                    if (double.IsFinite(e[t]))
                    {
                        sum += Math.Abs(e[t]);
                        n++;
                    }
                }

                if (n > 0)
                {
                    boot.Add(sum / n);
                }
            }

            boot.Sort();
            var low = boot.Count == 0 ? double.NaN : Percentile(boot, (1 - Confidence) / 2);
            var high = boot.Count == 0 ? double.NaN : Percentile(boot, 1 - ((1 - Confidence) / 2));
            rows.Add((j, new InputEffect(plan.Inputs[j], 0, muStar, mu, sigma, low, high, valid.Count)));
        }

        // Largest μ* first; an input without effects (no data) last; ties keep the inputs' order.
        return [.. rows
            .OrderByDescending(r => double.IsFinite(r.Effect.MuStar) ? r.Effect.MuStar : double.NegativeInfinity)
            .ThenBy(r => r.Index)
            .Select((r, i) => r.Effect with { Rank = i + 1 })];
    }

    /// <summary>The q-quantile of sorted values, interpolated between order statistics (Hyndman and Fan's type 7, R's default).</summary>
    private static double Percentile(List<double> sorted, double q)
    {
        var at = q * (sorted.Count - 1);
        var below = (int)Math.Floor(at);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((at - below) * (sorted[above] - sorted[below]));
    }
}
