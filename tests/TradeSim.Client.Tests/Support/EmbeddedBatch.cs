using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Silo.Hosting;
using TradeSim.Silo.Storage;

namespace TradeSim.Client.Tests;

/// <summary>Runs a stored batch to the end on an embedded silo (the grains, as `tradesim batch` does) for tests that build their own batches.</summary>
public static class EmbeddedBatch
{
    /// <summary>Creates the batch in <paramref name="store"/>, runs it on <paramref name="workers"/> workers, and returns its id and final progress.</summary>
    public static (long Id, BatchProgress Progress) Run(SqliteResultStore store, BatchSpec spec, int workers)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        var (id, _) = store.CreateBatch(spec, spec.Policy.MinReplications, DateTimeOffset.UtcNow);
        return (id, RunAsync(store, id, workers).GetAwaiter().GetResult());
    }

    private static async Task<BatchProgress> RunAsync(SqliteResultStore store, long id, int workers)
    {
        await using var silo = await EmbeddedSilo.StartAsync(store, workers, TextWriter.Null, CancellationToken.None);
        var batch = silo.Grains.GetGrain<IBatchGrain>(id);
        var progress = await batch.Start();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (progress.Status == BatchStatus.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, $"batch {id} did not complete within 5 minutes: {progress}");
            await Task.Delay(20);
            progress = await batch.Progress();
        }

        return progress;
    }
}
