using BenchmarkDotNet.Attributes;

namespace TradeSim.Benchmarks;

/// <summary>
/// A benchmark that fails on request, to prove that the benchmark program fails when a benchmark does: its
/// [GlobalSetup] check throws when <see cref="FailVariable"/> is `1` (a test sets it), and passes otherwise.
/// </summary>
public class CanaryBenchmarks
{
    public const string FailVariable = "TRADESIM_BENCHMARK_CANARY_FAIL";

    private int[] _values = [];

    [GlobalSetup]
    public void Setup()
    {
        _values = [.. Enumerable.Range(1, 100)];
        if (Environment.GetEnvironmentVariable(FailVariable) == "1")
        {
            throw new InvalidOperationException($"the canary failed its setup check, as {FailVariable}=1 asks");
        }
    }

    [Benchmark]
    public int Sum()
    {
        var sum = 0;
        foreach (var v in _values)
        {
            sum += v;
        }

        return sum;
    }
}
