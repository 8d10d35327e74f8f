using BenchmarkDotNet.Attributes;
using TradeSim.Kernel;

namespace TradeSim.Benchmarks;

/// <summary>One full replication of the baseline: set-up, 14 days of warm-up, 365 days of statistics, the result.</summary>
[MemoryDiagnoser]
public class BaselineYearBenchmarks
{
    private CompiledNetwork _network = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = BaselineWorld.Compile();
        var check = new Simulation(_network, 1, 0).Run();
        if (!check.Conservation.Balances || check.Days != 365)
        {
            throw new InvalidOperationException("the baseline year does not balance: benchmark numbers would be meaningless");
        }
    }

    [Benchmark]
    public RunResult BaselineYear() => new Simulation(_network, 1, 1).Run();
}
