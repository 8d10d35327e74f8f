using Microsoft.Extensions.Options;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Grains.Batches;

/// <summary>
/// The running batches (one board, key 0). Batch grains enrol and withdraw their batches; silos ask which batches to
/// claim runs from. In a cluster (<see cref="RunOptions.AdoptRunningBatches"/>) a new activation starts from every batch
/// of this engine version that the store holds as running, so no batch is forgotten when the board's silo dies.
/// </summary>
internal sealed class BatchBoardGrain(IResultStore store, IOptions<RunOptions> options) : Grain, IBatchBoardGrain
{
    private readonly SortedSet<long> _running = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AdoptRunningBatches)
        {
            _running.UnionWith(await Task.Run(() => store.RunningBatches(Batches.EngineVersion.Current), cancellationToken));
        }
    }

    public Task<IReadOnlyList<long>> RunningBatches() => Task.FromResult<IReadOnlyList<long>>([.. _running]);

    public Task Enrol(long batch)
    {
        _running.Add(batch);
        return Task.CompletedTask;
    }

    public Task Withdraw(long batch)
    {
        _running.Remove(batch);
        return Task.CompletedTask;
    }
}
