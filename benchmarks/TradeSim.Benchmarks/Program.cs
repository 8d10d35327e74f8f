using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TradeSim.Benchmarks.BaselineBenchmarks).Assembly).Run(args);
