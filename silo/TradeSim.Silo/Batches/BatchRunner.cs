using System.Diagnostics;
using System.Threading.Channels;
using TradeSim.Grains.Kernel;

namespace TradeSim.Silo.Batches;

/// <summary>One run of a batch: the scenario's position and the replication index.</summary>
public readonly record struct RunKey(int Position, int Replication);

/// <summary>A run that finished, with the wall-clock time it took (telemetry only: never part of a result).</summary>
public sealed record FinishedRun(RunKey Key, RunResult Result, double WallMilliseconds);

/// <summary>
/// Runs a batch's runs on the embedded silo with a fixed number of worker threads. Replication i of every scenario
/// uses the master seed and index i, so all scenarios share their random streams (common random numbers). Finished
/// runs are handed to one consumer on the calling thread, in the order they finish; the numbers never depend on that
/// order or on the number of workers. Cancellation abandons the runs in progress (they stay pending) and returns
/// once every finished run has been handed over.
/// </summary>
public sealed class BatchRunner(EmbeddedSilo silo)
{
    /// <returns>The number of runs handed to <paramref name="onFinished"/>.</returns>
    public int Run(BatchSpec spec, IReadOnlyList<RunKey> runs, int workers, Action<FinishedRun> onFinished, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(onFinished);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (runs.Count == 0)
        {
            return 0;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var finished = Channel.CreateUnbounded<FinishedRun>(new UnboundedChannelOptions { SingleReader = true });
        var next = -1;
        var threads = Math.Min(workers, runs.Count);
        var pending = threads;
        Exception? failure = null;
        for (var w = 0; w < threads; w++)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    int i;
                    while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < runs.Count)
                    {
                        var run = Execute(spec, runs[i], stop.Token);
                        if (run is not null)
                        {
                            finished.Writer.TryWrite(run);
                        }
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    stop.Cancel();
                }
                finally
                {
                    if (Interlocked.Decrement(ref pending) == 0)
                    {
                        finished.Writer.TryComplete();
                    }
                }
            })
            {
                IsBackground = true,
                Name = $"tradesim-worker-{w}",
            };
            thread.Start();
        }

        var handed = 0;
        try
        {
            while (finished.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (finished.Reader.TryRead(out var run))
                {
                    onFinished(run);
                    handed++;
                }
            }
        }
        catch
        {
            stop.Cancel();
            throw;
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"a run of the batch failed: {failure.Message}", failure);
        }

        return handed;
    }

    private FinishedRun? Execute(BatchSpec spec, RunKey key, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var result = silo.Run(spec.Scenarios[key.Position].Layers, spec.Seed, key.Replication, cancellation);
        return result is null ? null : new FinishedRun(key, result, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
