using System.Globalization;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>Writes a run's result as tidy CSV files: one per gate table, commodity table, corridor table and the daily series.</summary>
internal static class RunCsvWriter
{
    public static IReadOnlyList<string> Write(string directory, RunResult r)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();

        written.Add(WriteFile(directory, "gates.csv", csv =>
        {
            Header(csv, "scenario", "replication", "gate", "name", "corridor", "class", "trucks", "loaded_trucks", "tonnes", "value_usd", "mean_hours_to_cross", "p95_hours_to_cross", "utilisation", "max_queue", "mean_trucks_in_gate");
            foreach (var g in r.Gates)
            {
                Row(csv, r.Scenario, r.Replication, g.Id, g.Name, g.Corridor, g.GateClass, g.Trucks, g.LoadedTrucks, g.Tonnes, g.ValueUsd, g.MeanHoursToCross, g.P95HoursToCross, g.Utilisation, g.MaxQueue, g.MeanTrucksInGate);
            }
        }));

        written.Add(WriteFile(directory, "posts.csv", csv =>
        {
            Header(csv, "scenario", "replication", "gate", "country", "lanes", "served", "mean_wait_hours", "mean_service_hours", "mean_queue_length", "utilisation", "roadside_truck_hours");
            foreach (var g in r.Gates)
            {
                foreach (var p in g.Posts)
                {
                    Row(csv, r.Scenario, r.Replication, g.Id, p.Country, p.Lanes, p.Served, p.MeanWaitHours, p.MeanServiceHours, p.MeanQueueLength, p.Utilisation, p.RoadsideTruckHours);
                }
            }
        }));

        written.Add(WriteFile(directory, "corridors.csv", csv =>
        {
            Header(csv, "scenario", "replication", "corridor", "gates", "trucks", "loaded_trucks", "tonnes", "value_usd", "mean_hours_to_cross");
            foreach (var c in r.Corridors)
            {
                Row(csv, r.Scenario, r.Replication, c.Id, string.Join(' ', c.Gates), c.Trucks, c.LoadedTrucks, c.Tonnes, c.ValueUsd, c.MeanHoursToCross);
            }
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
            Header(csv, "scenario", "replication", "date", "gate", "trucks", "tonnes", "mean_hours_to_cross", "queue_at_end_of_day", "mean_queue");
            foreach (var d in r.Daily)
            {
                Row(csv, r.Scenario, r.Replication, d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Gate, d.Trucks, d.Tonnes, d.MeanHoursToCross, d.QueueAtEndOfDay, d.MeanQueue);
            }
        }));

        return written;
    }

    private static string WriteFile(string directory, string name, Action<TextWriter> body) => Csv.WriteFile(Path.Combine(directory, name), body);

    private static void Header(TextWriter csv, params string[] names) => Csv.Row(csv, names);

    private static void Row(TextWriter csv, params object[] values) => Csv.Row(csv, values);
}
