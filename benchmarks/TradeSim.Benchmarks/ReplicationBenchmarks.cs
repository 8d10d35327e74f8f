using BenchmarkDotNet.Attributes;
using TradeSim.Grains.Kernel;
using TradeSim.Grains.Scenarios;
using TradeSim.Silo;
using TradeSim.Silo.Batches;

namespace TradeSim.Benchmarks;

/// <summary>One full replication of the baseline (14 days of warm-up, 365 of statistics) on the kernel; the Mean is per replication.</summary>
[MemoryDiagnoser]
public class ReplicationBenchmarks
{
    private CompiledNetwork _network = null!;
    private int _replication;

    [GlobalSetup]
    public void Setup()
    {
        _network = BaselineWorld.Compile();
        var check = new Simulation(_network, 1, 0).Run();
        if (!check.Conservation.Balances || check.Days != 365)
        {
            throw new InvalidOperationException("the baseline year does not conserve tonnes: benchmark numbers would be meaningless");
        }
    }

    /// <summary>One replication (a new replication index each time, so each invoke draws fresh streams).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public RunResult Replication() => new Simulation(_network, 1, _replication++).Run();
}

/// <summary>
/// A batch of 100 replications of the baseline through the embedded silo and the batch runner with 1 or 2 workers
/// (no result store: the runner and the kernel only). The Mean is per replication, so replications per second = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class ReplicationBatchBenchmarks
{
    private const int Replications = 100;

    private readonly EmbeddedSilo _silo = new();
    private BatchSpec _spec = null!;
    private RunKey[] _runs = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var baseline = new ScenarioSource("baseline.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml")));
        _spec = new BatchSpec([new BatchScenario(0, "baseline", [baseline])], 0, 1, ReplicationPolicy.Fixed(Replications), []);
        _runs = [.. Enumerable.Range(0, Replications).Select(r => new RunKey(0, r))];

        // Correctness: a short batch (the benchmark itself checks every run too) must hand back every run, each conserving tonnes.
        var handed = RunBatch(_runs[..4]);
        if (handed != 4)
        {
            throw new InvalidOperationException($"the batch handed back {handed} of 4 runs: throughput numbers would be meaningless");
        }
    }

    /// <summary>100 replications (Mean is per replication).</summary>
    [Benchmark(OperationsPerInvoke = Replications)]
    public int Batch()
    {
        var handed = RunBatch(_runs);
        return handed == Replications ? handed : throw new InvalidOperationException($"the batch handed back {handed} of {Replications} runs");
    }

    private int RunBatch(RunKey[] runs) => new BatchRunner(_silo).Run(_spec, runs, Workers, run =>
    {
        if (!run.Result.Conservation.Balances || run.Result.Days != 365)
        {
            throw new InvalidOperationException($"run {run.Key} does not conserve tonnes");
        }
    }, CancellationToken.None);
}
