using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TradeSim.Benchmarks.BaselineYearBenchmarks).Assembly).Run(args);
