using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;

namespace TradeSim.Client.Batches;

/// <summary>One KPI of one scenario over its replications.</summary>
internal sealed record KpiSummary(string Kpi, Summary Stats);

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

    /// <summary>The what-if's appraisal against the baseline when its file has `appraisal:`; null otherwise (and for the baseline).</summary>
    public AppraisalOutcome? Appraisal { get; init; }

    /// <summary>The trade the what-if creates and diverts against the baseline; null for the baseline.</summary>
    public TradeShiftOutcome? Trade { get; init; }

    public KpiSummary? Kpi(string name) => Kpis.FirstOrDefault(k => k.Kpi == name);

    public KpiComparison? Comparison(string name) => VsBaseline.FirstOrDefault(k => k.Kpi == name);
}

/// <summary>
/// A batch's numbers, built only from what the result store holds, so `tradesim compare` later reports exactly what
/// `tradesim batch` reported. Replications are those finished in every scenario (an interrupted batch compares the
/// replications it completed everywhere). The runs are read a page at a time and summed in replication order
/// (<see cref="RunningMoments"/>, <see cref="StreamingBand"/>), so comparing a batch of a hundred thousand
/// replications takes the memory of comparing one of a hundred.
/// </summary>
internal sealed record BatchComparison(BatchRecord Batch, int Replications, bool PrecisionReached, IReadOnlyList<ScenarioOutcome> Scenarios, long UnconservedRuns, IReadOnlyList<FailedRun> FailedRuns)
{
    /// <summary>With `--precision`: the judged headline KPIs whose half-width is still above the target, and how far.</summary>
    public IReadOnlyList<HeadlineSpread> Unconverged { get; init; } = [];

    /// <summary>With `--precision`: how many headline KPIs the rule judged (those of entities with material traffic).</summary>
    public int JudgedKpis { get; init; }

    /// <summary>The batches the scenarios come from when `compare --scenario` took them from several; empty for one batch.</summary>
    public IReadOnlyList<long> SourceBatches { get; init; } = [];

    /// <summary>The band of the daily queue charts: the 10th to the 90th percentile over replications.</summary>
    private const double BandLow = 0.1;
    private const double BandHigh = 0.9;

    public ScenarioOutcome Baseline => Scenarios[Batch.Spec.BaselinePosition];

    public static BatchComparison Build(IResultStore store, long batchId)
    {
        ArgumentNullException.ThrowIfNull(store);
        var batch = store.LoadBatch(batchId);
        var scenarioCount = batch.Spec.Scenarios.Count;
        var basePosition = batch.Spec.BaselinePosition;
        var names = Enumerable.Range(0, scenarioCount).Select(s => store.KpiNames(batchId, s)).ToArray();
        var tallies = names.Select(n => new RunningMoments[n.Count]).ToArray();

        // Per scenario and KPI the baseline shares: the paired differences, and whether every one was zero.
        var shared = new int[scenarioCount][];
        var differences = new RunningMoments[scenarioCount][];
        var unchanged = new bool[scenarioCount][];
        var baseIndex = names[basePosition].Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        for (var s = 0; s < scenarioCount; s++)
        {
            shared[s] = s == basePosition ? [] : [.. names[s].Select(n => baseIndex.GetValueOrDefault(n, -1))];
            differences[s] = new RunningMoments[shared[s].Length];
            unchanged[s] = [.. Enumerable.Repeat(true, shared[s].Length)];
        }

        // Only what-ifs that carry their costs are appraised; the baseline is what they are appraised against.
        var baseDays = batch.Spec.Scenarios[basePosition].Entities.Days;
        var appraisals = batch.Spec.Scenarios
            .Select(sc => sc.Position != basePosition && sc.Entities.Appraisal is { } terms ? new Appraisal.Tally(terms, baseDays, sc.Entities.Days) : null)
            .ToArray();
        var shifts = batch.Spec.Scenarios
            .Select(sc => sc.Position != basePosition ? new TradeShift.Tally(baseDays, sc.Entities.Days) : null)
            .ToArray();
        var bands = Enumerable.Range(0, scenarioCount).Select(_ => new SortedDictionary<string, DayBands>(StringComparer.Ordinal)).ToArray();
        var replications = 0;
        foreach (var replication in ReplicationPages.Complete(store, batchId, scenarioCount, batch.PlannedReplications, withQueues: true))
        {
            replications++;
            var baseKpis = replication.RunsByPosition[basePosition].Kpis;
            for (var s = 0; s < scenarioCount; s++)
            {
                var kpis = replication.RunsByPosition[s].Kpis;
                appraisals[s]?.Add(baseKpis, kpis);
                shifts[s]?.Add(baseKpis, kpis);
                for (var k = 0; k < names[s].Count; k++)
                {
                    // A KPI the run had no data for (no truck crossed, so no crossing time) counts in neither mean
                    // nor difference: N is the replications that had it.
                    var has = kpis.TryGetValue(names[s][k], out var value);
                    if (has)
                    {
                        tallies[s][k].Add(value);
                    }

                    if (k < shared[s].Length && shared[s][k] >= 0)
                    {
                        var baseHas = baseKpis.TryGetValue(names[basePosition][shared[s][k]], out var baseValue);
                        if (has && baseHas)
                        {
                            differences[s][k].Add(value - baseValue);
                            unchanged[s][k] &= value.Equals(baseValue);
                        }
                        else if (has != baseHas)
                        {
                            unchanged[s][k] = false;
                        }
                    }
                }

                foreach (var (_, _, gate, series) in replication.QueuesByPosition![s])
                {
                    if (!bands[s].TryGetValue(gate, out var days))
                    {
                        bands[s][gate] = days = new DayBands(series.Length);
                    }

                    days.Add(series);
                }
            }
        }

        var outcomes = new List<ScenarioOutcome>(scenarioCount);
        for (var s = 0; s < scenarioCount; s++)
        {
            var kpis = names[s].Select((name, k) => new KpiSummary(name, Summary.From(tallies[s][k]))).ToList();
            var comparisons = new List<KpiComparison>();
            for (var k = 0; k < shared[s].Length && replications > 0; k++)
            {
                if (shared[s][k] < 0)
                {
                    continue;
                }

                var baseline = tallies[basePosition][shared[s][k]];
                var paired = Difference.Paired(differences[s][k], baseline);
                var unpaired = Difference.Welch(tallies[s][k], baseline);
                if (!IsMaterialBase(names[s][k], baseline, tallies[basePosition], baseIndex))
                {
                    // A percent of a base that is small or barely known reads as news (+23,117% on 0.6 trucks): none.
                    paired = paired with { Percent = double.NaN };
                    unpaired = unpaired with { Percent = double.NaN };
                }

                comparisons.Add(new KpiComparison(names[s][k], paired, unpaired, unchanged[s][k]));
            }

            var queues = bands[s].Select(b => b.Value.ToBand(b.Key)).ToList();
            outcomes.Add(new ScenarioOutcome(batch.Spec.Scenarios[s], s == basePosition, replications, kpis, comparisons, queues) { Appraisal = appraisals[s]?.ToOutcome(), Trade = shifts[s]?.ToOutcome() });
        }

        // The rule the batch grain applied between rounds, on the same stored runs: the report says what the grain decided.
        IReadOnlyList<HeadlineSpread> judged = [];
        IReadOnlyList<HeadlineSpread> unconverged = [];
        var reached = false;
        if (batch.Spec.Policy.Precision is { } precision)
        {
            judged = PrecisionRule.Judged(store, batchId, scenarioCount, batch.PlannedReplications, batch.Spec.Policy.PrecisionKpis);
            unconverged = [.. judged.Where(j => !PrecisionRule.IsMet(j.Spread, precision, batch.Spec.Policy.AbsoluteTolerance))];
            reached = unconverged.Count == 0;
        }

        return new BatchComparison(batch, replications, reached, outcomes, store.UnconservedRuns(batchId), store.FailedRuns(batchId))
        {
            Unconverged = unconverged,
            JudgedKpis = judged.Count,
        };
    }

    /// <summary>
    /// Whether a percent change of <paramref name="kpi"/> means something: its baseline mean is known to within 10%
    /// (95% half-width) and is not zero, and the KPI's gate or corridor carries at least
    /// <see cref="PrecisionRule.MaterialTrucks"/> trucks in the baseline, as the precision rule asks.
    /// </summary>
    private static bool IsMaterialBase(string kpi, RunningMoments baseline, RunningMoments[] baseTallies, Dictionary<string, int> baseIndex)
    {
        var summary = Summary.From(baseline);
        if (summary.Mean == 0 || !(summary.N < 2 || summary.HalfWidth <= 0.1 * Math.Abs(summary.Mean)))
        {
            return false;
        }

        return KpiCatalogue.TrafficKpiOf(kpi) is not { } trucks
            || !baseIndex.TryGetValue(trucks, out var t)
            || baseTallies[t].Mean >= PrecisionRule.MaterialTrucks;
    }

    /// <summary>One gate's daily queue over a scenario's replications: a band per day, as many days as the shortest series.</summary>
    private sealed class DayBands(int days)
    {
        private readonly List<StreamingBand> _days = [.. Enumerable.Range(0, days).Select(_ => new StreamingBand(BandLow, BandHigh))];

        public void Add(float[] series)
        {
            if (series.Length < _days.Count)
            {
                _days.RemoveRange(series.Length, _days.Count - series.Length);
            }

            for (var d = 0; d < _days.Count; d++)
            {
                _days[d].Add(series[d]);
            }
        }

        public DailyQueueBand ToBand(string gate) =>
            new(gate, [.. _days.Select(d => d.Mean)], [.. _days.Select(d => d.Low)], [.. _days.Select(d => d.High)]);
    }
}
