using System.Globalization;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>
/// Writes a run's result as tidy CSV files: gates, posts, corridors, fleets and totals (their columns the KPI catalogue's
/// measures, named as batches name them; an empty cell where the run had no data), commodities and the daily series.
/// </summary>
internal static class RunCsvWriter
{
    public static IReadOnlyList<string> Write(string directory, RunResult r)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();

        written.Add(WriteFile(directory, "gates.csv", csv =>
        {
            Header(csv, ["scenario", "replication", "gate", "name", "corridor", "class", .. Names(KpiCatalogue.Gate), "mean_trucks_in_gate"]);
            foreach (var g in r.Gates)
            {
                Row(csv, [r.Scenario, r.Replication, g.Id, g.Name, g.Corridor, g.GateClass, .. Values(KpiCatalogue.Gate, g), g.MeanTrucksInGate]);
            }
        }));

        written.Add(WriteFile(directory, "posts.csv", csv =>
        {
            Header(csv, ["scenario", "replication", "gate", "country", "lanes", .. Names(KpiCatalogue.Post), "roadside_truck_hours"]);
            foreach (var g in r.Gates)
            {
                foreach (var p in g.Posts)
                {
                    Row(csv, [r.Scenario, r.Replication, g.Id, p.Country, p.Lanes, .. Values(KpiCatalogue.Post, p), p.RoadsideTruckHours]);
                }
            }
        }));

        written.Add(WriteFile(directory, "corridors.csv", csv =>
        {
            Header(csv, ["scenario", "replication", "corridor", "gates", .. Names(KpiCatalogue.Corridor)]);
            foreach (var c in r.Corridors)
            {
                Row(csv, [r.Scenario, r.Replication, c.Id, string.Join(' ', c.Gates), .. Values(KpiCatalogue.Corridor, c)]);
            }
        }));

        written.Add(WriteFile(directory, "fleets.csv", csv =>
        {
            Header(csv, ["scenario", "replication", "fleet", "truck_count", .. Names(KpiCatalogue.Fleet)]);
            foreach (var f in r.Fleets)
            {
                Row(csv, [r.Scenario, r.Replication, f.Id, f.Trucks, .. Values(KpiCatalogue.Fleet, f)]);
            }
        }));

        written.Add(WriteFile(directory, "totals.csv", csv =>
        {
            Header(csv, ["scenario", "replication", .. Names(KpiCatalogue.Total)]);
            Row(csv, [r.Scenario, r.Replication, .. Values(KpiCatalogue.Total, r)]);
        }));

        written.Add(WriteFile(directory, "commodities.csv", csv =>
        {
            Header(csv, "scenario", "replication", "commodity", "produced_t", "delivered_t", "delivered_value_usd", "crossed_t", "conservation_produced_t", "conservation_delivered_t", "conservation_in_transit_t", "conservation_queued_t", "conservation_stock_t");
            for (var i = 0; i < r.Commodities.Count; i++)
            {
                var c = r.Commodities[i];
                var b = r.Conservation.ByCommodity[i];
                Row(csv, r.Scenario, r.Replication, c.Id, c.ProducedTonnes, c.DeliveredTonnes, c.DeliveredValueUsd, c.CrossedTonnes, b.ProducedKg / 1000.0, b.DeliveredKg / 1000.0, b.InTransitKg / 1000.0, b.QueuedKg / 1000.0, b.StockKg / 1000.0);
            }
        }));

        written.Add(WriteFile(directory, "daily.csv", csv =>
        {
            // The gate's catalogue measures, day by day (a day no truck crossed has no crossing time: an empty cell).
            Header(csv, "scenario", "replication", "date", "gate", KpiCatalogue.GateTrucks.Measure, KpiCatalogue.GateTonnes.Measure, KpiCatalogue.GateHoursToCrossMean.Measure, "queue_at_end_of_day", KpiCatalogue.GateMeanQueue.Measure);
            foreach (var d in r.Daily)
            {
                Row(csv, r.Scenario, r.Replication, d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Gate, d.Trucks, d.Tonnes, d.Trucks == 0 ? string.Empty : d.MeanHoursToCross, d.QueueAtEndOfDay, d.MeanQueue);
            }
        }));

        return written;
    }

    private static IEnumerable<string> Names<T>(IReadOnlyList<KpiMeasure<T>> measures) => measures.Select(m => m.Measure);

    /// <summary>The catalogue's measures of one result; a measure without data is an empty cell.</summary>
    private static IEnumerable<object> Values<T>(IReadOnlyList<KpiMeasure<T>> measures, T source) =>
        measures.Select(m => m.ValueOf(source) is var v && double.IsNaN(v) ? (object)string.Empty : v);

    private static string WriteFile(string directory, string name, Action<TextWriter> body) => Csv.WriteFile(Path.Combine(directory, name), body);

    private static void Header(TextWriter csv, params string[] names) => Csv.Row(csv, names);

    private static void Row(TextWriter csv, params object[] values) => Csv.Row(csv, values);
}
