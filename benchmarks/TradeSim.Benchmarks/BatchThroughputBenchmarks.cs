using BenchmarkDotNet.Attributes;
using TradeSim.Grains.Batches;

namespace TradeSim.Benchmarks;

/// <summary>
/// Batch throughput on the embedded silo, as `tradesim batch` runs it: the baseline and the Nam Giang upgrade, full
/// years, 8 replications each, through the batch and run grains with 1 or 2 run workers, every result stored in SQLite.
/// The Mean is per replication (OperationsPerInvoke), so replications per second = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class BatchThroughputBenchmarks
{
    private const int Replications = 8;

    private BatchHarness _harness = null!;
    private BatchSpec _spec = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new BatchHarness(Workers);
        _harness.StartSilo().GetAwaiter().GetResult();
        _spec = BatchHarness.Spec(Replications, withUpgrade: true);

        // Correctness first: the grains must store every run, with exactly the numbers the kernel gives on its own.
        var grains = _harness.ThroughGrains(_spec).GetAwaiter().GetResult();
        var kernel = _harness.KernelAndStore(_spec);
        if (!_harness.SameResults(grains, kernel) || _harness.Store.UnconservedRuns(grains) != 0)
        {
            throw new InvalidOperationException("the grains stored other results than the kernel computes: throughput numbers would be meaningless");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = 2 * Replications)]
    public long Batch() => _harness.ThroughGrains(_spec).GetAwaiter().GetResult();
}
