using System.Globalization;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>A readable plain-text summary of one run: the catalogue's KPIs per gate, post and corridor and in total, per commodity, and the conservation check.</summary>
internal static class RunSummaryWriter
{
    public static void Write(TextWriter o, RunResult r)
    {
        var end = r.Start.AddDays(r.Days - 1);
        o.WriteLine($"Scenario {r.Scenario}  seed {r.Seed}  replication {r.Replication}  {r.Start:yyyy-MM-dd} to {end:yyyy-MM-dd} ({r.Days} days after {r.WarmupDays} days of warm-up, {r.StepMinutes}-minute steps)");
        o.WriteLine();
        o.WriteLine("Gates (the KPIs a batch stores as gate.G.<column>; `tradesim kpis` says what each means)");
        TextTable.Write(o, ["gate", "class", .. KpiCatalogue.Gate.Select(m => m.Measure)],
            r.Gates.Select(g => new[] { g.Id, g.GateClass }.Concat(KpiCatalogue.Gate.Select(m => Number(m.ValueOf(g)))).ToArray()),
            textColumns: 2);
        o.WriteLine();
        o.WriteLine("Posts (post.G.P.<column>)");
        TextTable.Write(o, ["gate", "post", "lanes", .. KpiCatalogue.Post.Select(m => m.Measure)],
            r.Gates.SelectMany(g => g.Posts.Select(p => new[] { g.Id, p.Country, N(p.Lanes) }.Concat(KpiCatalogue.Post.Select(m => Number(m.ValueOf(p)))).ToArray())),
            textColumns: 2);
        o.WriteLine();
        o.WriteLine("Corridors (corridor.C.<column>; hours_to_cross and the rest after it are the ADB CAREC indicators, per loaded trip)");
        TextTable.Write(o, ["corridor", .. KpiCatalogue.Corridor.Select(m => m.Measure)],
            r.Corridors.Select(c => new[] { c.Id }.Concat(KpiCatalogue.Corridor.Select(m => Number(m.ValueOf(c)))).ToArray()),
            textColumns: 1);
        o.WriteLine();
        o.WriteLine("Fleets (fleet.K.<column>; the backlog is cargo still waiting for a truck when the run ended)");
        TextTable.Write(o, ["fleet", "truck_count", .. KpiCatalogue.Fleet.Select(m => m.Measure)],
            r.Fleets.Select(f => new[] { f.Id, N(f.Trucks) }.Concat(KpiCatalogue.Fleet.Select(m => Number(m.ValueOf(f)))).ToArray()),
            textColumns: 1);
        o.WriteLine();
        o.WriteLine("Totals (total.<column>)");
        TextTable.Write(o, [.. KpiCatalogue.Total.Select(m => m.Measure)], [[.. KpiCatalogue.Total.Select(m => Number(m.ValueOf(r)))]], textColumns: 0);
        o.WriteLine();
        o.WriteLine("Commodities");
        TextTable.Write(o, ["commodity", "produced t", "crossed t", "delivered t", "delivered M USD"],
            r.Commodities.Select(c => new[] { c.Id, N(c.ProducedTonnes), N(c.CrossedTonnes), N(c.DeliveredTonnes), F(c.DeliveredValueUsd / 1e6, 2) }),
            textColumns: 2);
        o.WriteLine();
        var a = r.Conservation;
        o.WriteLine($"Conservation over the whole run: produced {N(a.ProducedTonnes)} t = delivered {N(a.DeliveredTonnes)} + in transit {N(a.InTransitTonnes)} + queued {N(a.QueuedTonnes)} + stock {N(a.StockTonnes)} t: {(a.Balances ? "balanced per commodity" : "NOT BALANCED")}");
    }

    private static string Number(double v) => BatchTextWriter.Number(v);

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
