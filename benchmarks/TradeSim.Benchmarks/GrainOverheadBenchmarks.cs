using BenchmarkDotNet.Attributes;
using TradeSim.Grains.Batches;

namespace TradeSim.Benchmarks;

/// <summary>
/// What Orleans adds to a run on the embedded silo. The same batch - 48 full baseline years on 1 or 2 workers, every
/// result stored in SQLite - run by plain threads calling the kernel and the store (<see cref="KernelAndStore"/>, the
/// baseline of the ratio) and through the batch and run grains (<see cref="ThroughGrains"/>); <see cref="KernelOnly"/>
/// leaves out the store too. The Mean is per run, so the Ratio column of <see cref="ThroughGrains"/> is the overhead
/// (target: at most 1.05).
/// </summary>
[MemoryDiagnoser]
public class GrainOverheadBenchmarks
{
    private const int Runs = 48;

    private BatchHarness _harness = null!;
    private BatchSpec _spec = null!;

    [Params(1, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _harness = new BatchHarness(Workers);
        _harness.StartSilo().GetAwaiter().GetResult();
        _spec = BatchHarness.Spec(Runs, withUpgrade: false);
        var grains = _harness.ThroughGrains(_spec).GetAwaiter().GetResult();
        var kernel = _harness.KernelAndStore(_spec);
        if (!_harness.SameResults(grains, kernel))
        {
            throw new InvalidOperationException("the grains stored other results than the kernel computes: the comparison would be meaningless");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Runs)]
    public long KernelAndStore() => _harness.KernelAndStore(_spec);

    [Benchmark(OperationsPerInvoke = Runs)]
    public long ThroughGrains() => _harness.ThroughGrains(_spec).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Runs)]
    public long KernelOnly() => _harness.KernelAndStore(_spec, store: false);
}
