using TradeSim.Kernel;

namespace TradeSim.Grains.Runs;

/// <summary>
/// What a batch keeps of a run besides its KPIs (<see cref="KpiCatalogue.Extract"/>): each gate's daily mean queue.
/// </summary>
public static class DailyQueueSeries
{
    /// <summary>Each gate's mean queue (trucks at both posts) per day of the window.</summary>
    public static IReadOnlyList<(string Gate, float[] MeanQueue)> Of(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Gates
            .Select(g => (g.Id, result.Daily.Where(d => d.Gate == g.Id).Select(d => (float)d.MeanQueue).ToArray()))
            .ToList();
    }
}
