using TradeSim.Grains.Runs;

namespace TradeSim.Grains.Tests.Support;

/// <summary>
/// Occupies every run worker of a silo until disposed: runs queued meanwhile wait (they are accepted and executing,
/// as their grains see it, but no worker has taken them), and the silo's claimer claims nothing, having no free worker
/// (runs executing when the block begins finish first, then the blockers take their workers).
/// </summary>
internal sealed class WorkerBlock : IDisposable
{
    private readonly ManualResetEventSlim _gate = new(false);
    private readonly RunWorkerPool _pool;
    private readonly Task<int>[] _blockers;

    public WorkerBlock(RunWorkerPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _blockers = Enumerable.Range(0, pool.Workers).Select(_ => pool.Enqueue(cancellation =>
        {
            _gate.Wait(cancellation);
            return 0;
        })).ToArray();
    }

    public void Dispose()
    {
        _gate.Set();
        Task.WaitAny(Task.WhenAll(_blockers), Task.Delay(TimeSpan.FromSeconds(10)));
        _gate.Dispose();

        // Each blocker took a slot, as a run does; a run's grain gives its slot back once the run is stored.
        foreach (var _ in _blockers)
        {
            _pool.ReleaseSlot();
        }
    }
}
