using BenchmarkDotNet.Running;
using TradeSim.Benchmarks;

// Runs the selected suites; exits 1 when any benchmark failed (its [GlobalSetup] check threw, it crashed, it did not
// build) or the run had validation errors, so a broken benchmark fails CI even in the untimed dry run.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BaselineYearBenchmarks).Assembly).Run(args).ToList();
var problems = BenchmarkOutcome.Problems(summaries);
foreach (var problem in problems)
{
    Console.Error.WriteLine($"benchmarks: {problem}");
}

return problems.Count == 0 ? 0 : 1;
