using System.Text.Json;
using TradeSim.Kernel;

namespace TradeSim.Client.Output;

/// <summary>
/// Writes a run's result as JSON with snake_case names. Gates, posts, corridors and totals carry the measures of the
/// KPI catalogue under the names a batch stores them by (null where the run had no data); the rest is the run's
/// own detail (breakdowns, conservation). Holds no wall-clock data, so the same inputs give byte-identical output.
/// </summary>
internal static class RunJsonWriter
{
    public static void Write(Stream stream, RunResult r, string scenarioHash)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("scenario", r.Scenario);
        w.WriteString("scenario_hash", scenarioHash);
        w.WriteNumber("seed", r.Seed);
        w.WriteNumber("replication", r.Replication);
        w.WriteString("start", r.Start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("days", r.Days);
        w.WriteNumber("warmup_days", r.WarmupDays);
        w.WriteNumber("step_minutes", r.StepMinutes);
        w.WriteStartArray("gates");
        foreach (var g in r.Gates)
        {
            w.WriteStartObject();
            w.WriteString("id", g.Id);
            w.WriteString("name", g.Name);
            w.WriteString("corridor", g.Corridor);
            w.WriteString("class", g.GateClass);
            WriteMeasures(w, KpiCatalogue.Gate, g);
            w.WriteNumber("mean_trucks_in_gate", g.MeanTrucksInGate);
            w.WriteStartArray("posts");
            foreach (var p in g.Posts)
            {
                w.WriteStartObject();
                w.WriteString("country", p.Country);
                w.WriteNumber("lanes", p.Lanes);
                WriteMeasures(w, KpiCatalogue.Post, p);
                w.WriteNumber("roadside_truck_hours", p.RoadsideTruckHours);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteMap(w, "loaded_trucks_by_traffic", g.LoadedTrucksByTraffic, (x, k, v) => x.WriteNumber(k, v));
            WriteMap(w, "tonnes_by_traffic", g.TonnesByTraffic, (x, k, v) => x.WriteNumber(k, v));
            WriteMap(w, "value_imported_usd", g.ValueImportedByCountry, (x, k, v) => x.WriteNumber(k, v));
            WriteMap(w, "tonnes_by_commodity", g.TonnesByCommodity, (x, k, v) => x.WriteNumber(k, v));
            WriteMap(w, "person_crossings_by_nationality", g.PersonCrossingsByNationality, (x, k, v) => x.WriteNumber(k, v));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("corridors");
        foreach (var c in r.Corridors)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteStartArray("gates");
            foreach (var id in c.Gates)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            WriteMeasures(w, KpiCatalogue.Corridor, c);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("commodities");
        foreach (var c in r.Commodities)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteNumber("produced_t", c.ProducedTonnes);
            w.WriteNumber("delivered_t", c.DeliveredTonnes);
            w.WriteNumber("delivered_value_usd", c.DeliveredValueUsd);
            w.WriteNumber("crossed_t", c.CrossedTonnes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("fleets");
        foreach (var f in r.Fleets)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id);
            w.WriteNumber("truck_count", f.Trucks);
            WriteMeasures(w, KpiCatalogue.Fleet, f);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("totals");
        WriteMeasures(w, KpiCatalogue.Total, r);
        w.WriteEndObject();
        var a = r.Conservation;
        w.WriteStartObject("conservation");
        w.WriteNumber("produced_t", a.ProducedTonnes);
        w.WriteNumber("delivered_t", a.DeliveredTonnes);
        w.WriteNumber("in_transit_t", a.InTransitTonnes);
        w.WriteNumber("queued_t", a.QueuedTonnes);
        w.WriteNumber("stock_t", a.StockTonnes);
        w.WriteBoolean("balanced", a.Balances);
        w.WriteStartArray("by_commodity");
        foreach (var b in a.ByCommodity)
        {
            w.WriteStartObject();
            w.WriteString("commodity", b.Commodity);
            w.WriteNumber("produced_t", b.ProducedKg / 1000.0);
            w.WriteNumber("delivered_t", b.DeliveredKg / 1000.0);
            w.WriteNumber("in_transit_t", b.InTransitKg / 1000.0);
            w.WriteNumber("queued_t", b.QueuedKg / 1000.0);
            w.WriteNumber("stock_t", b.StockKg / 1000.0);
            w.WriteBoolean("balanced", b.Balances);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The catalogue's measures of one result, under the names batches use; a measure without data is null.</summary>
    private static void WriteMeasures<T>(Utf8JsonWriter w, IReadOnlyList<KpiMeasure<T>> measures, T source)
    {
        foreach (var m in measures)
        {
            var value = m.ValueOf(source);
            if (double.IsNaN(value))
            {
                w.WriteNull(m.Measure);
            }
            else
            {
                w.WriteNumber(m.Measure, value);
            }
        }
    }

    private static void WriteMap<T>(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, T> map, Action<Utf8JsonWriter, string, T> write)
    {
        w.WriteStartObject(name);
        foreach (var key in map.Keys.Order(StringComparer.Ordinal))
        {
            write(w, key, map[key]);
        }

        w.WriteEndObject();
    }
}
