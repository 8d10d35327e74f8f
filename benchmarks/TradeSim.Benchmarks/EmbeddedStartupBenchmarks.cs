using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;

namespace TradeSim.Benchmarks;

/// <summary>
/// Start-up of the embedded silo: from building the in-process Orleans silo to the first run of a new batch being
/// dispatched to a worker (then the silo is stopped; stopping is not timed). A cold process adds the runtime's own
/// start and JIT on top: README gives that figure, measured on the CLI.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.ColdStart, launchCount: 1, warmupCount: 1, iterationCount: 10)]
public class EmbeddedStartupBenchmarks
{
    private BatchHarness _harness = null!;
    private BatchSpec _spec = null!;

    [GlobalSetup]
    public void Setup()
    {
        _harness = new BatchHarness(workers: 1);
        _spec = BatchHarness.Spec(1, withUpgrade: false);
        if (StartToFirstDispatch() < 1)
        {
            throw new InvalidOperationException("no run was dispatched: the start-up time would be meaningless");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public int StartToFirstDispatch() => StartAndDispatch().GetAwaiter().GetResult();

    private async Task<int> StartAndDispatch()
    {
        var (id, _) = _harness.Store.CreateBatch(_spec, 1, DateTimeOffset.UnixEpoch);
        await using var silo = await TradeSim.Silo.Hosting.EmbeddedSilo.StartAsync(_harness.Store, 1, Console.Error, CancellationToken.None);
        var batch = silo.Grains.GetGrain<IBatchGrain>(id);
        var progress = await batch.Start();
        while (progress.Executing + progress.Done == 0)
        {
            await Task.Delay(1);
            progress = await batch.Progress();
        }

        var dispatched = progress.Executing + progress.Done;
        await batch.Interrupt();
        return dispatched;
    }
}
