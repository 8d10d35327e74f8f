using System.Globalization;
using System.Text;

namespace TradeSim.Kernel.Scenarios;

/// <summary>The size of a generated world. <see cref="Days"/> of statistics after two days of warm-up.</summary>
public sealed record WorldSize(int Gates, int Provinces, int Trucks, ulong Seed = 1, int Days = 30)
{
    /// <summary>What is wrong with the size, or null when it can be generated.</summary>
    public string? Problem() =>
        Gates < 1 ? "--gates must be at least 1"
        : Provinces < 1 ? "--provinces must be at least 1"
        : Trucks < Provinces ? $"--trucks must be at least the number of provinces ({Provinces}): every province has a fleet"
        : Trucks > 10_000_000 ? "--trucks must be at most 10,000,000"
        : Gates > 100_000 || Provinces > 100_000 ? "--gates and --provinces must be at most 100,000"
        : Days is < 1 or > 3660 ? "--days must be from 1 to 3660"
        : null;
}

/// <summary>
/// Writes a synthetic regional network of any size as scenario text: Vietnamese provinces each with a trucking fleet
/// and a trade flow to a district across the border, through two candidate gates (its own and the next one), each
/// gate an international pair of posts with lanes sized for the traffic it expects. Distances come from a seeded
/// stream, so the same size and seed give the same text. Used to measure the kernel at scale.
/// </summary>
public static class WorldGenerator
{
    private const double TruckCapacityTonnes = 20;
    private const double ServiceMinutes = 10;
    private const double TargetLaneUtilisation = 0.6;

    public static string Generate(WorldSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (size.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(size));
        }

        var random = new SplitMix(size.Seed);
        var text = new StringBuilder(256 * (size.Gates + size.Provinces));
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"name: generated-{size.Gates}g-{size.Provinces}p-{size.Trucks}t\n");
        text.Append(c, $"description: A generated regional network of {size.Gates} gates, {size.Provinces} provinces and {size.Trucks} trucks (tradesim generate, seed {size.Seed}).\n\n");
        text.Append(c, $"settings:\n  start: 2024-01-01\n  days: {size.Days}\n  warmup_days: 2\n  step_minutes: 60\n\n");
        text.Append("gate_classes:\n  international: [transit, trade, local]\n\n");
        text.Append("commodities:\n  farm-produce: { name: Agricultural produce }\n  manufactured-goods: { name: Manufactured goods }\n  timber: { name: Timber }\n\n");
        string[] commodities = ["farm-produce", "manufactured-goods", "timber"];

        // Each province's fleet and the trips a year it makes: a cycle of about seven hours, the fleet busy 60% of the time.
        var trucks = new int[size.Provinces];
        for (var p = 0; p < size.Provinces; p++)
        {
            trucks[p] = (size.Trucks / size.Provinces) + (p < size.Trucks % size.Provinces ? 1 : 0);
        }

        var tripsPerTruckYear = 8760.0 / 7 * 0.6;
        var crossingsPerHour = new double[size.Gates];
        for (var p = 0; p < size.Provinces; p++)
        {
            // Loaded there, empty back: two crossings per trip, at the province's own gate.
            crossingsPerHour[p % size.Gates] += trucks[p] * tripsPerTruckYear * 2 / 8760;
        }

        text.Append("nodes:\n");
        for (var p = 0; p < size.Provinces; p++)
        {
            text.Append(c, $"  province-{p}: {{ name: Province {p}, country: vn, kind: province }}\n");
        }

        for (var g = 0; g < size.Gates; g++)
        {
            text.Append(c, $"  abroad-{g}: {{ name: District {g} across the border, country: {AbroadCountry}, kind: district }}\n");
        }

        text.Append("\ngates:\n");
        for (var g = 0; g < size.Gates; g++)
        {
            // Lanes so that the expected crossings keep each lane about 60% busy (both posts see every truck).
            var lanes = Math.Max(1, (int)Math.Ceiling(crossingsPerHour[g] * ServiceMinutes / 60 / TargetLaneUtilisation));
            text.Append(c, $"  gate-{g}:\n    name: Gate {g}\n    corridor: corridor-{g}\n    class: international\n    fee_usd: 10\n    transfer_minutes: 10\n");
            foreach (var country in new[] { "vn", AbroadCountry })
            {
                text.Append(c, $"    {country}: {{ lanes: {lanes}, hours: 24h, holding_capacity: {Math.Max(50, lanes * 20)}, service: {{ default: {{ mean_minutes: {ServiceMinutes}, cv: 0.5 }} }} }}\n");
            }
        }

        text.Append("\nroads:\n");
        for (var p = 0; p < size.Provinces; p++)
        {
            text.Append(c, $"  to-own-gate-{p}: {{ from: province-{p}, to: gate-{p % size.Gates}.vn, km: {20 + random.Next(60)}, kmh: 50 }}\n");
            if (size.Gates > 1)
            {
                text.Append(c, $"  to-next-gate-{p}: {{ from: province-{p}, to: gate-{(p + 1) % size.Gates}.vn, km: {60 + random.Next(80)}, kmh: 50 }}\n");
            }
        }

        for (var g = 0; g < size.Gates; g++)
        {
            text.Append(c, $"  beyond-{g}: {{ from: gate-{g}.{AbroadCountry}, to: abroad-{g}, km: {20 + random.Next(40)}, kmh: 40 }}\n");
            if (size.Gates > 1)
            {
                // The next gate's far side also reaches this district, so a province has two routes to choose from.
                var next = (g + 1) % size.Gates;
                text.Append(c, $"  across-{g}: {{ from: gate-{next}.{AbroadCountry}, to: abroad-{g}, km: {50 + random.Next(60)}, kmh: 40 }}\n");
            }
        }

        text.Append("\ncarriers:\n");
        for (var p = 0; p < size.Provinces; p++)
        {
            text.Append(c, $"  fleet-{p}: {{ home: province-{p}, trucks: {trucks[p]}, capacity_t: {TruckCapacityTonnes}, cost_per_km_usd: 0.9, cost_per_hour_usd: 10, load_hours: 1, unload_hours: 1 }}\n");
        }

        text.Append("\nflows:\n");
        for (var p = 0; p < size.Provinces; p++)
        {
            var tonnes = Math.Round(trucks[p] * tripsPerTruckYear * TruckCapacityTonnes);
            text.Append(c, $"  flow-{p}: {{ commodity: {commodities[p % commodities.Length]}, from: province-{p}, to: abroad-{p % size.Gates}, traffic: trade, carrier: fleet-{p}, tonnes_per_year: {tonnes}, value_usd_per_t: {100 + random.Next(400)}, daily_cv: 0.2 }}\n");
        }

        return text.ToString();
    }

    /// <summary>Every gate pairs Viet Nam with Laos, so the second route through the next gate stays in one country.</summary>
    private const string AbroadCountry = "la";

    /// <summary>A tiny seeded generator for distances: the text must not depend on anything but the size and seed.</summary>
    private sealed class SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int below)
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)below);
        }
    }
}
