using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Client.Batches;

/// <summary>One KPI of one scenario over its replications.</summary>
internal sealed record KpiSummary(string Kpi, Summary Stats, double[] Values);

/// <summary>One KPI of a scenario against the same KPI of the baseline, paired by replication.</summary>
internal sealed record KpiComparison(string Kpi, Difference Paired, Difference Unpaired, bool UnchangedInEveryReplication);

/// <summary>A gate's daily mean queue across a scenario's replications: the mean and the 10th-90th percentile band per day.</summary>
internal sealed record DailyQueueBand(string Gate, double[] Mean, double[] Low, double[] High);

/// <summary>What a batch found for one scenario.</summary>
internal sealed record ScenarioOutcome(
    BatchScenario Scenario,
    bool IsBaseline,
    int Replications,
    IReadOnlyList<KpiSummary> Kpis,
    IReadOnlyList<KpiComparison> VsBaseline,
    IReadOnlyList<DailyQueueBand> DailyQueues)
{
    public string Name => Scenario.Name;

    public KpiSummary? Kpi(string name) => Kpis.FirstOrDefault(k => k.Kpi == name);

    public KpiComparison? Comparison(string name) => VsBaseline.FirstOrDefault(k => k.Kpi == name);
}

/// <summary>
/// A batch's numbers, built only from what the result store holds, so `tradesim compare` later reports exactly what
/// `tradesim batch` reported. Replications are those finished in every scenario (an interrupted batch compares the
/// replications it completed everywhere).
/// </summary>
internal sealed record BatchComparison(BatchRecord Batch, int Replications, bool PrecisionReached, IReadOnlyList<ScenarioOutcome> Scenarios, long UnconservedRuns, IReadOnlyList<FailedRun> FailedRuns)
{
    public ScenarioOutcome Baseline => Scenarios[Batch.Spec.BaselinePosition];

    public static BatchComparison Build(IResultStore store, long batchId)
    {
        ArgumentNullException.ThrowIfNull(store);
        var batch = store.LoadBatch(batchId);
        var runs = store.FinishedRuns(batchId);
        var scenarioCount = batch.Spec.Scenarios.Count;

        // Replications finished in every scenario: the paired comparison needs the same indices on both sides.
        var complete = runs.GroupBy(r => r.Replication)
            .Where(g => g.Select(r => r.Position).Distinct().Count() == scenarioCount)
            .Select(g => g.Key)
            .Order()
            .ToHashSet();
        var byScenario = new List<StoredRun>[scenarioCount];
        for (var s = 0; s < scenarioCount; s++)
        {
            byScenario[s] = runs.Where(r => r.Position == s && complete.Contains(r.Replication)).OrderBy(r => r.Replication).ToList();
        }

        var queues = store.DailyQueues(batchId).Where(q => complete.Contains(q.Replication)).ToList();
        var baseRuns = byScenario[batch.Spec.BaselinePosition];
        var outcomes = new List<ScenarioOutcome>(scenarioCount);
        for (var s = 0; s < scenarioCount; s++)
        {
            var names = store.KpiNames(batchId, s);
            var kpis = names.Select(name =>
            {
                var values = byScenario[s].Select(r => r.Kpis[name]).ToArray();
                return new KpiSummary(name, Summary.Of(values), values);
            }).ToList();
            var comparisons = new List<KpiComparison>();
            if (s != batch.Spec.BaselinePosition && baseRuns.Count > 0)
            {
                foreach (var k in kpis)
                {
                    if (!baseRuns[0].Kpis.ContainsKey(k.Kpi))
                    {
                        continue;
                    }

                    var baseValues = baseRuns.Select(r => r.Kpis[k.Kpi]).ToArray();
                    var unchanged = k.Values.AsSpan().SequenceEqual(baseValues);
                    comparisons.Add(new KpiComparison(k.Kpi, Difference.Paired(k.Values, baseValues), Difference.Welch(k.Values, baseValues), unchanged));
                }
            }

            var bands = queues.Where(q => q.Position == s)
                .GroupBy(q => q.Gate, StringComparer.Ordinal)
                .Select(g => Band(g.Key, g.Select(q => q.MeanQueue).ToList()))
                .ToList();
            outcomes.Add(new ScenarioOutcome(batch.Spec.Scenarios[s], s == batch.Spec.BaselinePosition, byScenario[s].Count, kpis, comparisons, bands));
        }

        // The rule the batch grain applied between rounds, on the same stored runs: the report says what the grain decided.
        var reached = batch.Spec.Policy.Precision is { } precision && PrecisionRule.IsMet(PrecisionRule.HeadlineSpreads(runs, scenarioCount), precision);
        return new BatchComparison(batch, complete.Count, reached, outcomes, store.UnconservedRuns(batchId), store.FailedRuns(batchId));
    }

    private static DailyQueueBand Band(string gate, List<float[]> series)
    {
        var days = series.Min(s => s.Length);
        var mean = new double[days];
        var low = new double[days];
        var high = new double[days];
        var column = new double[series.Count];
        for (var d = 0; d < days; d++)
        {
            for (var r = 0; r < series.Count; r++)
            {
                column[r] = series[r][d];
            }

            mean[d] = column.Average();
            low[d] = MathNet.Numerics.Statistics.Statistics.Quantile(column, 0.1);
            high[d] = MathNet.Numerics.Statistics.Statistics.Quantile(column, 0.9);
        }

        return new DailyQueueBand(gate, mean, low, high);
    }
}
