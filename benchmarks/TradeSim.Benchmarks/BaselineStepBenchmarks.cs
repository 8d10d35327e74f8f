using BenchmarkDotNet.Attributes;
using TradeSim.Kernel;

namespace TradeSim.Benchmarks;

/// <summary>
/// One steady-state kernel step of the baseline network: the hot loop, which must allocate nothing. A step takes
/// microseconds, so the job fixes the invocation count: the measured steps then stay well inside the run's
/// (two-century) horizon and never reach its end.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: 2048)]
public class BaselineStepBenchmarks
{
    private const int StepsPerInvoke = 24;
    private Simulation _simulation = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Correctness first: a full run must balance its tonnes and move trucks through Nam Giang.
        var check = new Simulation(BaselineWorld.Compile(), 1, 0).Run();
        if (!check.Conservation.Balances || check.Gates.First(g => g.Id == "nam-giang").LoadedTrucks == 0)
        {
            throw new InvalidOperationException("the baseline run does not balance or moves no trucks: benchmark numbers would be meaningless");
        }

        // Steady state: 60 days in, past the warm-up, every buffer at its high-water mark.
        _simulation = new Simulation(BaselineWorld.Compile(days: 73_000), 1, 0);
        for (var i = 0; i < 60 * 24; i++)
        {
            _simulation.Step();
        }
    }

    /// <summary>One hour-long step of the baseline (Mean is per step).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public void BaselineStep()
    {
        for (var i = 0; i < StepsPerInvoke; i++)
        {
            _simulation.Step();
        }
    }
}
