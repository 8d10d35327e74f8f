using BenchmarkDotNet.Attributes;
using TradeSim.Kernel;

namespace TradeSim.Benchmarks;

/// <summary>
/// Hour-long kernel steps of a generated world in steady state (five simulated days in), Mean per truck-step.
/// The world's horizon is ten years (87,888 steps), more than BenchmarkDotNet's default job asks of it.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private Simulation _simulation = null!;

    [Params(10_000, 100_000, 1_000_000)]
    public int Trucks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var network = GeneratedWorld.Compile(Trucks);
        if (network.TruckCount != Trucks)
        {
            throw new InvalidOperationException($"the generated world has {network.TruckCount} trucks, not {Trucks}");
        }

        _simulation = new Simulation(network, 1, 0);
        for (var s = 0; s < 5 * 24; s++)
        {
            _simulation.Step();
        }

        var sofar = _simulation.Collect();
        if (!sofar.Conservation.Balances || sofar.Gates.Sum(g => g.Trucks) == 0)
        {
            throw new InvalidOperationException("the generated world does not move trucks across its gates or does not balance: step timings would be meaningless");
        }
    }

    /// <summary>
    /// One operation is a million truck-steps (100 steps of 10,000 trucks, 10 of 100,000, 1 of 1,000,000), so the Mean
    /// reads per truck-step at every size.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TruckStepsPerOperation)]
    public void Step()
    {
        for (var s = TruckStepsPerOperation / Trucks; s > 0; s--)
        {
            _simulation.Step();
        }

        if (_simulation.IsFinished)
        {
            throw new InvalidOperationException("the generated world reached its horizon: later steps would measure nothing");
        }
    }

    public const int TruckStepsPerOperation = 1_000_000;
}
