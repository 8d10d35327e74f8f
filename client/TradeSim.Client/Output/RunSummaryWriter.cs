using System.Globalization;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>A readable plain-text summary of one run: per gate, per corridor, per commodity, and the conservation check.</summary>
internal static class RunSummaryWriter
{
    public static void Write(TextWriter o, RunResult r)
    {
        var end = r.Start.AddDays(r.Days - 1);
        o.WriteLine($"Scenario {r.Scenario}  seed {r.Seed}  replication {r.Replication}  {r.Start:yyyy-MM-dd} to {end:yyyy-MM-dd} ({r.Days} days after {r.WarmupDays} days of warm-up, {r.StepMinutes}-minute steps)");
        o.WriteLine();
        o.WriteLine("Gates (trucks that completed both posts; hours from arrival at the first post to release, waiting included)");
        TextTable.Write(o, ["gate", "class", "trucks", "loaded", "tonnes", "value M USD", "mean h", "p95 h", "util %", "max queue"],
            r.Gates.Select(g => new[] { g.Id, g.GateClass, N(g.Trucks), N(g.LoadedTrucks), N(g.Tonnes), F(g.ValueUsd / 1e6, 2), F(g.MeanHoursToCross, 2), F(g.P95HoursToCross, 2), F(g.Utilisation * 100, 1), N(g.MaxQueue) }),
            textColumns: 2);
        o.WriteLine();
        o.WriteLine("Corridors");
        TextTable.Write(o, ["corridor", "gates", "trucks", "loaded", "tonnes", "value M USD", "mean h"],
            r.Corridors.Select(c => new[] { c.Id, string.Join(' ', c.Gates), N(c.Trucks), N(c.LoadedTrucks), N(c.Tonnes), F(c.ValueUsd / 1e6, 2), F(c.MeanHoursToCross, 2) }),
            textColumns: 2);
        o.WriteLine();
        o.WriteLine("Commodities");
        TextTable.Write(o, ["commodity", "produced t", "crossed t", "delivered t", "delivered M USD"],
            r.Commodities.Select(c => new[] { c.Id, N(c.ProducedTonnes), N(c.CrossedTonnes), N(c.DeliveredTonnes), F(c.DeliveredValueUsd / 1e6, 2) }),
            textColumns: 2);
        o.WriteLine();
        var a = r.Conservation;
        o.WriteLine($"Conservation over the whole run: produced {N(a.ProducedTonnes)} t = delivered {N(a.DeliveredTonnes)} + in transit {N(a.InTransitTonnes)} + queued {N(a.QueuedTonnes)} + stock {N(a.StockTonnes)} t: {(a.Balances ? "balanced per commodity" : "NOT BALANCED")}");
        o.WriteLine($"Border legs: {N(r.LegsThroughGates)}, diverted from the cost-preferred gate: {N(r.LegsDiverted)}");
    }

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
