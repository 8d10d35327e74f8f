using Microsoft.Extensions.Options;
using TradeSim.Grains.Runs;

namespace TradeSim.Grains.Tests;

/// <summary>The slots of a silo's run workers: held from queueing to release, and none left while a run holds it alone.</summary>
public sealed class RunWorkerPoolTests
{
    [Fact]
    public async Task Free_CountsWorkersAndQueueAhead_LessHeldSlots_AndIsZeroWhileARunHoldsTheSiloAlone()
    {
        using var pool = new RunWorkerPool(Options.Create(new RunOptions { Workers = 2, QueueAhead = 1 }));
        Assert.Equal(3, pool.Free);

        var first = pool.Enqueue(_ => 1);
        Assert.Equal(1, await first);
        Assert.Equal((2, 1), (pool.Free, pool.Busy));

        // A run on its last attempt: while its slot is held, the silo claims nothing else, though workers are free.
        var alone = pool.Enqueue(_ => 2, alone: true);
        Assert.Equal(2, await alone);
        Assert.Equal((0, 2), (pool.Free, pool.Busy));

        pool.ReleaseSlot(alone: true);
        Assert.Equal((2, 1), (pool.Free, pool.Busy));
        pool.ReleaseSlot();
        Assert.Equal((3, 0), (pool.Free, pool.Busy));
    }
}
