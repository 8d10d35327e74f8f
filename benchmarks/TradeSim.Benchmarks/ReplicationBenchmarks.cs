using BenchmarkDotNet.Attributes;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

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
