using BenchmarkDotNet.Attributes;
using TradeSim.Grains.Kernel;

namespace TradeSim.Benchmarks;

/// <summary>
/// The baseline network: one steady-state kernel step (the hot loop; it must allocate nothing) and one full
/// replication (a year of statistics after the warm-up, including set-up and the result).
/// </summary>
[MemoryDiagnoser]
public class BaselineBenchmarks
{
    private const int StepsPerInvoke = 24;
    private CompiledNetwork _network = null!;
    private CompiledNetwork _longNetwork = null!;
    private Simulation _simulation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = BaselineWorld.Compile();

        // Correctness first: a full run must balance its tonnes and move trucks through Nam Giang.
        var check = new Simulation(_network, 1, 0).Run();
        if (!check.Conservation.Balances || check.Gates.First(g => g.Id == "nam-giang").LoadedTrucks == 0)
        {
            throw new InvalidOperationException("the baseline run does not balance or moves no trucks: benchmark numbers would be meaningless");
        }

        // Steady state: past the warm-up, with every buffer at its high-water mark, on a horizon of a century so
        // the measured steps never reach the end of the run.
        _longNetwork = BaselineWorld.Compile(days: 36_500);
        _simulation = new Simulation(_longNetwork, 1, 0);
        for (var i = 0; i < 60 * 24; i++)
        {
            _simulation.Step();
        }
    }

    /// <summary>One step of the baseline (Mean is per step: 24 steps per invocation).</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public void BaselineStep()
    {
        for (var i = 0; i < StepsPerInvoke; i++)
        {
            _simulation.Step();
        }
    }

    /// <summary>One full replication of the baseline year.</summary>
    [Benchmark]
    public RunResult BaselineYear() => new Simulation(_network, 1, 1).Run();
}
