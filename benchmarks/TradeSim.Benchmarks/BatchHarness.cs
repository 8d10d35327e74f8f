using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Hosting;
using TradeSim.Silo.Storage;

namespace TradeSim.Benchmarks;

/// <summary>
/// A batch's work done two ways, for the throughput benchmarks: through the grains on an embedded silo (what
/// `tradesim batch` does), or by plain worker threads calling the kernel and the same SQLite store (the same work
/// without Orleans). Both store every result, so the difference between them is what Orleans adds.
/// </summary>
internal sealed class BatchHarness : IAsyncDisposable
{
    private static readonly RunExecutor Bench = new("bench", "127.0.0.1:0@0", EngineVersion.Current);

    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-bench-").FullName;
    private readonly ReplicationRunner _runner = new();
    private EmbeddedSilo? _silo;

    public BatchHarness(int workers)
    {
        Workers = workers;
        Store = SqliteResultStore.Open(Path.Combine(_folder, "bench.db"), create: true);
    }

    public int Workers { get; }

    public SqliteResultStore Store { get; }

    public static ScenarioSource Bundled(string name) =>
        new($"{name}.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", $"{name}.yaml")));

    /// <summary>The baseline alone, or the baseline and the Nam Giang upgrade.</summary>
    public static BatchSpec Spec(int replications, bool withUpgrade)
    {
        var baseline = Bundled("baseline");
        List<BatchScenario> scenarios = [new(0, "baseline", [baseline])];
        if (withUpgrade)
        {
            scenarios.Add(new BatchScenario(1, "nam-giang-upgrade", [baseline, Bundled("nam-giang-upgrade")]));
        }

        return new BatchSpec(scenarios, 0, 1, ReplicationPolicy.Fixed(replications), []);
    }

    public async Task StartSilo() => _silo = await EmbeddedSilo.StartAsync(Store, Workers, Console.Error, CancellationToken.None);

    /// <summary>Creates the batch and runs it through the batch and run grains; returns its id once it is complete.</summary>
    public async Task<long> ThroughGrains(BatchSpec spec)
    {
        var silo = _silo ?? throw new InvalidOperationException("start the silo first");
        var (id, _) = Store.CreateBatch(spec, spec.Policy.MinReplications, DateTimeOffset.UnixEpoch);
        var batch = silo.Grains.GetGrain<IBatchGrain>(id);
        var progress = await batch.Start();
        while (progress.Status == BatchStatus.Running)
        {
            // A short poll (the CLI polls every 100 ms), so that waiting after the last run costs little, yet polling
            // itself takes little CPU from the runs.
            await Task.Delay(5);
            progress = await batch.Progress();
        }

        return progress.Failed == 0 && progress.Done == progress.PlannedRuns
            ? id
            : throw new InvalidOperationException($"batch {id} ended {progress.Status} with {progress.Done} of {progress.PlannedRuns} runs done and {progress.Failed} failed");
    }

    /// <summary>Creates the batch and runs it on <see cref="Workers"/> plain threads: the kernel and the store, no Orleans.</summary>
    public long KernelAndStore(BatchSpec spec, bool store = true)
    {
        var (id, _) = Store.CreateBatch(spec, spec.Policy.MinReplications, DateTimeOffset.UnixEpoch);
        var runs = Enumerable.Range(0, spec.Policy.MinReplications)
            .SelectMany(r => spec.Scenarios.Select(s => new RunKey(id, s.Position, r)))
            .ToArray();
        var next = -1;
        var threads = Enumerable.Range(0, Workers).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < runs.Length)
            {
                var scenario = spec.Scenarios[runs[i].Position];
                var network = _runner.CompileStored(scenario.Hash, () => scenario.Layers);
                var result = ReplicationRunner.Run(network, spec.Seed, runs[i].Replication, CancellationToken.None)!;
                var record = RunRecord.Of(result);
                if (store)
                {
                    Store.SaveResult(runs[i], record, Bench, 0, DateTimeOffset.UnixEpoch);
                }
                else if (!record.Conserved)
                {
                    throw new InvalidOperationException($"run {runs[i]} does not conserve tonnes");
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return id;
    }

    /// <summary>Every stored result of two batches, in order: equal when both ways computed the same numbers.</summary>
    public bool SameResults(long a, long b)
    {
        var left = AllRuns(a);
        var right = AllRuns(b);
        return left.Count > 0 && left.Count == right.Count && left.Zip(right).All(p =>
            p.First.Position == p.Second.Position && p.First.Replication == p.Second.Replication
            && p.First.Kpis.Count == p.Second.Kpis.Count && p.First.Kpis.All(k => p.Second.Kpis.TryGetValue(k.Key, out var v) && v.Equals(k.Value)));
    }

    private List<StoredRun> AllRuns(long batchId)
    {
        var batch = Store.LoadBatch(batchId);
        return [.. Enumerable.Range(0, batch.Spec.Scenarios.Count).SelectMany(p => ReplicationPages.FinishedRuns(Store, batchId, p, batch.PlannedReplications))];
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        Store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
