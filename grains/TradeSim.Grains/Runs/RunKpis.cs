using TradeSim.Kernel;

namespace TradeSim.Grains.Runs;

/// <summary>One named measure of one run. Names are `group.entity.measure` (ids never contain dots).</summary>
public readonly record struct KpiValue(string Name, double Value);

/// <summary>
/// The per-run KPIs a batch keeps: throughput, time and queues per gate; the ADB CAREC corridor indicators; totals;
/// tonnes per flow and route. Everything is measured over the statistics window (warm-up excluded). The order is
/// fixed by the scenario, so two runs of one scenario list the same names in the same order.
/// </summary>
public static class RunKpis
{
    /// <summary>The KPIs the batch's `--precision` rule and the text report lead with.</summary>
    public static bool IsHeadline(string kpi)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        return kpi.StartsWith("total.", StringComparison.Ordinal)
            ? kpi is "total.trade_value_usd" or "total.logistics_cost_per_tonne_usd"
            : (kpi.StartsWith("gate.", StringComparison.Ordinal) && kpi.EndsWith(".trucks", StringComparison.Ordinal))
              || (kpi.StartsWith("corridor.", StringComparison.Ordinal) && kpi.EndsWith(".hours_to_cross", StringComparison.Ordinal));
    }

    public static IReadOnlyList<KpiValue> Extract(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var kpis = new List<KpiValue>(16 * (result.Gates.Count + result.Corridors.Count + result.Flows.Count));
        foreach (var g in result.Gates)
        {
            var p = $"gate.{g.Id}.";
            kpis.Add(new(p + "trucks", g.Trucks));
            kpis.Add(new(p + "loaded_trucks", g.LoadedTrucks));
            kpis.Add(new(p + "tonnes", g.Tonnes));
            kpis.Add(new(p + "value_usd", g.ValueUsd));
            kpis.Add(new(p + "hours_to_cross_mean", g.MeanHoursToCross));
            kpis.Add(new(p + "hours_to_cross_p95", g.P95HoursToCross));
            kpis.Add(new(p + "max_queue", g.MaxQueue));
            kpis.Add(new(p + "mean_queue", g.Posts.Sum(post => post.MeanQueueLength)));
            kpis.Add(new(p + "utilisation", g.Utilisation));
        }

        foreach (var c in result.Corridors)
        {
            var p = $"corridor.{c.Id}.";
            kpis.Add(new(p + "trucks", c.Trucks));
            kpis.Add(new(p + "tonnes", c.Tonnes));
            kpis.Add(new(p + "hours_to_cross", c.Trips.HoursToCross));
            kpis.Add(new(p + "crossing_cost_usd", c.Trips.CrossingCostPerTripUsd));
            kpis.Add(new(p + "cost_per_500km_20t_usd", c.Trips.CostPer500Km20TUsd));
            kpis.Add(new(p + "speed_with_delays_kmh", c.Trips.SpeedWithDelaysKmh));
            kpis.Add(new(p + "speed_without_delays_kmh", c.Trips.SpeedWithoutDelaysKmh));
        }

        var deliveredTonnes = result.Commodities.Sum(c => c.DeliveredTonnes);
        kpis.Add(new("total.trade_value_usd", result.Commodities.Sum(c => c.DeliveredValueUsd)));
        kpis.Add(new("total.tonnes_delivered", deliveredTonnes));
        kpis.Add(new("total.logistics_cost_usd", result.OperatingCostUsd));
        kpis.Add(new("total.logistics_cost_per_tonne_usd", deliveredTonnes == 0 ? 0 : result.OperatingCostUsd / deliveredTonnes));
        kpis.Add(new("total.trucks_diverted", result.LegsDiverted));
        kpis.Add(new("total.border_legs", result.LegsThroughGates));

        foreach (var f in result.Flows)
        {
            kpis.Add(new($"flow.{f.Id}.tonnes", f.DeliveredTonnes));
            foreach (var (gate, tonnes) in f.TonnesByGate)
            {
                kpis.Add(new($"route.{f.Id}.{(gate.Length == 0 ? "_direct" : gate)}.tonnes", tonnes));
            }
        }

        return kpis;
    }

    /// <summary>Each gate's mean queue (trucks at both posts) per day of the window.</summary>
    public static IReadOnlyList<(string Gate, float[] MeanQueue)> DailyQueues(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Gates
            .Select(g => (g.Id, result.Daily.Where(d => d.Gate == g.Id).Select(d => (float)d.MeanQueue).ToArray()))
            .ToList();
    }
}
