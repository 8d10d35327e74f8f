using BenchmarkDotNet.Attributes;
using TradeSim.Grains.Scenarios;
using TradeSim.Silo;
using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;

namespace TradeSim.Benchmarks;

/// <summary>
/// Batch throughput on the embedded silo: the baseline and the Nam Giang upgrade, full years, run by the batch runner
/// with 1 or 2 workers and every finished run written to a SQLite result store, as `tradesim batch` does.
/// The Mean is per replication (OperationsPerInvoke), so replications per second = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class BatchThroughputBenchmarks
{
    private const int Replications = 8;

    private readonly EmbeddedSilo _silo = new();
    private BatchSpec _spec = null!;
    private RunKey[] _runs = null!;
    private string _folder = null!;
    private int _batchNumber;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "scenarios");
        var baseline = new ScenarioSource("baseline.yaml", File.ReadAllText(Path.Combine(folder, "baseline.yaml")));
        var upgrade = new ScenarioSource("nam-giang-upgrade.yaml", File.ReadAllText(Path.Combine(folder, "nam-giang-upgrade.yaml")));
        _spec = new BatchSpec([new BatchScenario(0, "baseline", [baseline]), new BatchScenario(1, "nam-giang-upgrade", [baseline, upgrade])], 0, 1, ReplicationPolicy.Fixed(Replications), []);
        _runs = [.. Enumerable.Range(0, Replications).SelectMany(r => new[] { new RunKey(0, r), new RunKey(1, r) })];
        _folder = Directory.CreateTempSubdirectory("tradesim-bench-").FullName;
        var saved = RunBatch();
        if (saved != _runs.Length)
        {
            throw new InvalidOperationException($"the batch saved {saved} of {_runs.Length} runs: throughput numbers would be meaningless");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(OperationsPerInvoke = 2 * Replications)]
    public int Batch() => RunBatch();

    private int RunBatch()
    {
        using var store = SqliteResultStore.Open(Path.Combine(_folder, $"batch-{_batchNumber++}.db"), create: true);
        var id = store.CreateBatch(_spec, Replications, DateTimeOffset.UnixEpoch);
        var saved = 0;
        new BatchRunner(_silo).Run(_spec, _runs, Workers, run =>
        {
            if (!run.Result.Conservation.Balances)
            {
                throw new InvalidOperationException($"run {run.Key} does not conserve tonnes");
            }

            if (store.SaveRun(id, run.Key.Position, run.Key.Replication, RunKpis.Extract(run.Result), RunKpis.DailyQueues(run.Result), true, run.WallMilliseconds, DateTimeOffset.UnixEpoch))
            {
                saved++;
            }
        }, CancellationToken.None);
        return saved;
    }
}
