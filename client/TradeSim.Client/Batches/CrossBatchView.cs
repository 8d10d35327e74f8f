using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Batches;

/// <summary>One scenario of a stored batch, named on the command line as <c>BATCH:NAME</c>.</summary>
internal readonly record struct ScenarioReference(long Batch, string Name)
{
    /// <summary>Parses "12:nam-giang-upgrade"; null with a reason when the text is not of that form.</summary>
    public static (ScenarioReference? Reference, string? Problem) Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1 || !long.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var batch) || batch < 1)
        {
            return (null, $"--scenario must be BATCH:NAME (a batch id, a colon and one of its scenarios, e.g. 3:nam-giang-upgrade), not {Silo.Hosting.CommandLineValues.Quote(text)}");
        }

        return (new ScenarioReference(batch, text[(colon + 1)..]), null);
    }

    public override string ToString() => $"{Batch}:{Name}";
}

/// <summary>
/// Scenarios of several stored batches seen as one batch, so `tradesim compare --scenario 3:baseline --scenario
/// 5:upgrade` compares them with the same statistics, text, JSON and report as one batch. Only batches of one
/// engine version and one seed are combined: replication i of a scenario uses the random streams of (seed, i) in
/// whatever batch it ran, so with one seed and one engine the pairing by replication is as sound as within a
/// batch; across engines or seeds it is not, and <see cref="Open"/> says so. Read-only: it writes nothing.
/// </summary>
internal sealed class CrossBatchView : IResultStore
{
    private readonly IResultStore _store;
    private readonly (long Batch, int Position)[] _sources;
    private readonly BatchRecord _record;

    private CrossBatchView(IResultStore store, (long Batch, int Position)[] sources, BatchRecord record)
    {
        _store = store;
        _sources = sources;
        _record = record;
    }

    /// <summary>The batches the scenarios come from, in the order given.</summary>
    public IReadOnlyList<long> Batches => [.. _sources.Select(s => s.Batch).Distinct()];

    public string Location => _store.Location;

    /// <summary>The view of <paramref name="references"/> (the first is the baseline), or why they cannot be compared.</summary>
    public static (CrossBatchView? View, string? Problem) Open(IResultStore store, IReadOnlyList<ScenarioReference> references)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(references);
        var batches = references.Select(r => r.Batch).Distinct().ToDictionary(id => id, store.LoadBatch);
        var first = batches[references[0].Batch];
        if (batches.Values.FirstOrDefault(b => b.EngineVersion != first.EngineVersion) is { } otherEngine)
        {
            return (null, $"batches {first.Id} and {otherEngine.Id} ran on different engine versions ({first.EngineVersion} and {otherEngine.EngineVersion}): their results are not comparable; rerun one batch on this engine");
        }

        if (batches.Values.FirstOrDefault(b => b.Spec.Seed != first.Spec.Seed) is { } otherSeed)
        {
            return (null, $"batches {first.Id} and {otherSeed.Id} have different seeds ({first.Spec.Seed} and {otherSeed.Spec.Seed}): replications pair only under one seed; rerun one batch with --seed {first.Spec.Seed}");
        }

        var sources = new List<(long, int)>();
        var scenarios = new List<BatchScenario>();
        foreach (var reference in references)
        {
            var batch = batches[reference.Batch];
            if (batch.Spec.Scenarios.FirstOrDefault(s => s.Name == reference.Name) is not { } scenario)
            {
                return (null, $"batch {batch.Id} has no scenario '{reference.Name}': expected one of {string.Join(", ", batch.Spec.Scenarios.Select(s => s.Name))}");
            }

            if (sources.Contains((batch.Id, scenario.Position)))
            {
                return (null, $"--scenario {reference} is given twice");
            }

            sources.Add((batch.Id, scenario.Position));
            var name = references.Count(r => r.Name == reference.Name) > 1 ? reference.ToString() : reference.Name;
            scenarios.Add(scenario with { Position = scenarios.Count, Name = name });
        }

        var status = batches.Values.All(b => b.Status == BatchStatus.Complete) ? BatchStatus.Complete : BatchStatus.Interrupted;
        var options = references.SelectMany(r => new[] { "--scenario", r.ToString() }).ToList();
        var record = new BatchRecord(
            first.Id,
            batches.Values.Min(b => b.CreatedUtc),
            first.EngineVersion,
            status,
            new BatchSpec(scenarios, BaselinePosition: 0, first.Spec.Seed, ReplicationPolicy.Fixed(batches.Values.Min(b => b.PlannedReplications)), options),
            batches.Values.Min(b => b.PlannedReplications),
            first.MaxAttempts);
        return (new CrossBatchView(store, [.. sources], record), null);
    }

    public BatchRecord LoadBatch(long batchId) => _record;

    public IReadOnlyList<StoredRun> FinishedRuns(long batchId, int position, int firstReplication, int replications)
    {
        var (batch, source) = _sources[position];
        return [.. _store.FinishedRuns(batch, source, firstReplication, replications).Select(r => r with { Position = position })];
    }

    public IReadOnlyList<string> KpiNames(long batchId, int position) => _store.KpiNames(_sources[position].Batch, _sources[position].Position);

    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId, int position, int firstReplication, int replications)
    {
        var (batch, source) = _sources[position];
        return [.. _store.DailyQueues(batch, source, firstReplication, replications).Select(q => (position, q.Replication, q.Gate, q.MeanQueue))];
    }

    public long UnconservedRuns(long batchId) => Batches.Sum(_store.UnconservedRuns);

    public IReadOnlyList<FailedRun> FailedRuns(long batchId) =>
        [.. Batches.SelectMany(b => _store.FailedRuns(b).Select(f => (Batch: b, Run: f)))
            .Select(x => (Index: Array.IndexOf(_sources, (x.Batch, x.Run.Position)), x.Run))
            .Where(x => x.Index >= 0)
            .Select(x => x.Run with { Position = x.Index })];

    // A comparison reads; nothing below is asked of a view.
    public (long Id, bool Created) CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc) => throw ReadOnly();

    public IReadOnlyList<long> RunningBatches(string engineVersion) => throw ReadOnly();

    public void SetStatus(long batchId, string status) => throw ReadOnly();

    public void PlanReplications(long batchId, int replications) => throw ReadOnly();

    public IReadOnlyList<ScenarioSource> ScenarioLayers(string hash) => _store.ScenarioLayers(hash);

    public IReadOnlyList<RunState> RunStates(long batchId) => throw ReadOnly();

    public IReadOnlyList<int> StartAttempts(IReadOnlyList<RunKey> runs) => throw ReadOnly();

    public void ReturnAttempt(RunKey run) => throw ReadOnly();

    public SaveOutcome SaveResult(RunKey run, RunRecord record, RunExecutor silo, double wallMilliseconds, DateTimeOffset finishedUtc) => throw ReadOnly();

    public void RecordFailure(RunKey run, string error, bool giveUp) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() => new("a cross-batch view only reads");
}
