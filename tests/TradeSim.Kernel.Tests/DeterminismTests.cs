using System.Globalization;
using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// A run is a function of (scenario, seed, replication): the number of threads must not change a single bit, a
/// repeated run must reproduce itself, and another replication must give another sample.
/// </summary>
public class DeterminismTests
{
    [Fact]
    public void Run_BaselineOneAndTwoThreads_IdenticalResults()
    {
        var network = BaselineRuns.Compile(BaselineRuns.BaselineDefinition);
        var one = new Simulation(network, 1, 0, threads: 1).Run();
        var two = new Simulation(network, 1, 0, threads: 2).Run();

        AssertIdentical(Flatten(one), Flatten(two));
    }

    [Fact]
    public void Run_BaselineSameSeedTwice_IdenticalResults()
    {
        // A fresh compile and run against the cached one: nothing may leak between runs or networks.
        var again = BaselineRuns.Run(BaselineRuns.BaselineDefinition, seed: 1, replication: 0);

        AssertIdentical(Flatten(BaselineRuns.BaselineSeed1), Flatten(again));
    }

    [Fact]
    public void Run_BaselineOtherReplication_DifferentResults()
    {
        var first = BaselineRuns.BaselineSeed1;
        var other = BaselineRuns.Run(BaselineRuns.BaselineDefinition, seed: 1, replication: 1);

        // Tonnes by commodity list only the commodities a gate carried, so the two key sets may differ slightly.
        var a = Flatten(first).ToDictionary(x => x.Key, x => x.Value);
        var b = Flatten(other).ToDictionary(x => x.Key, x => x.Value);
        var common = a.Keys.Where(b.ContainsKey).ToList();
        Assert.True(common.Count > 0.99 * a.Count, $"{common.Count} of {a.Count} keys in common");
        var differing = common.Count(k => !a[k].Equals(b[k]));

        // Randomness reaches every busy gate: their crossing hours (continuous sums of random durations) must differ.
        foreach (var id in new[] { "nam-giang", "bo-y", "ma-lu-thang", "cha-lo" })
        {
            Assert.NotEqual(BaselineRuns.Gate(first, id).MeanHoursToCross, BaselineRuns.Gate(other, id).MeanHoursToCross);
        }

        Assert.True(differing > common.Count / 4, $"only {differing} of {common.Count} numbers differ between replications 0 and 1");
    }

    /// <summary>Every number of a result, in a fixed order, keyed by where it comes from.</summary>
    /// <summary>The start of every key <see cref="Flatten"/> gives a traveller's or a declaration's number.</summary>
    internal const string TravellerPrefix = "travellers ";

    internal static List<KeyValuePair<string, double>> Flatten(RunResult r)
    {
        var list = new List<KeyValuePair<string, double>>();
        void Add(string key, double value) => list.Add(new(key, value));

        Add("seed", r.Seed);
        Add("replication", r.Replication);
        Add("days", r.Days);
        Add("legs", r.LegsThroughGates);
        Add("diverted", r.LegsDiverted);
        foreach (var g in r.Gates)
        {
            var k = "gate " + g.Id + " ";
            Add(k + "trucks", g.Trucks);
            Add(k + "loaded", g.LoadedTrucks);
            Add(k + "tonnes", g.Tonnes);
            Add(k + "value", g.ValueUsd);
            Add(k + "mean hours", g.MeanHoursToCross);
            Add(k + "p95 hours", g.P95HoursToCross);
            Add(k + "utilisation", g.Utilisation);
            Add(k + "max queue", g.MaxQueue);
            Add(k + "mean in gate", g.MeanTrucksInGate);
            Add(k + "window", g.WindowHours);
            foreach (var p in g.Posts)
            {
                var pk = k + "post " + p.Country + " ";
                Add(pk + "lanes", p.Lanes);
                Add(pk + "served", p.Served);
                Add(pk + "wait", p.MeanWaitHours);
                Add(pk + "service", p.MeanServiceHours);
                Add(pk + "queue", p.MeanQueueLength);
                Add(pk + "utilisation", p.Utilisation);
                Add(pk + "roadside", p.RoadsideTruckHours);
            }

            AddAll(k + "loaded by traffic ", g.LoadedTrucksByTraffic.ToDictionary(x => x.Key, x => (double)x.Value));
            AddAll(k + "tonnes by traffic ", g.TonnesByTraffic);
            AddAll(k + "imported value ", g.ValueImportedByCountry);
            AddAll(k + "tonnes by commodity ", g.TonnesByCommodity);

            // Travellers and declarations, under their own prefix so a test can set them apart from the trucks' numbers.
            var tk = TravellerPrefix + g.Id + " ";
            AddAll(tk + "persons by nationality ", g.PersonCrossingsByNationality.ToDictionary(x => x.Key, x => (double)x.Value));
            Add(tk + "non-truck vehicles", g.NonTruckVehicleCrossings);
            Add(tk + "declarations", g.TransitDeclarations);
            Add(tk + "declared trips", g.DeclaredTrips);
            Add(tk + "persons arrived", g.Travellers.PersonsArrived);
            Add(tk + "persons at gate", g.Travellers.PersonsAtGate);
            Add(tk + "vehicles arrived", g.Travellers.VehiclesArrived);
            Add(tk + "vehicles at gate", g.Travellers.VehiclesAtGate);
            foreach (var p in g.Posts)
            {
                Add(tk + "post " + p.Country + " persons served", p.PersonsServed);
                Add(tk + "post " + p.Country + " immigration wait", p.MeanImmigrationWaitHours);
            }
        }

        foreach (var c in r.Corridors)
        {
            var k = "corridor " + c.Id + " ";
            Add(k + "trucks", c.Trucks);
            Add(k + "loaded", c.LoadedTrucks);
            Add(k + "tonnes", c.Tonnes);
            Add(k + "value", c.ValueUsd);
            Add(k + "mean hours", c.MeanHoursToCross);
        }

        foreach (var c in r.Commodities)
        {
            var k = "commodity " + c.Id + " ";
            Add(k + "produced", c.ProducedTonnes);
            Add(k + "delivered", c.DeliveredTonnes);
            Add(k + "delivered value", c.DeliveredValueUsd);
            Add(k + "crossed", c.CrossedTonnes);
        }

        foreach (var b in r.Conservation.ByCommodity)
        {
            var k = "balance " + b.Commodity + " ";
            Add(k + "produced", b.ProducedKg);
            Add(k + "delivered", b.DeliveredKg);
            Add(k + "in transit", b.InTransitKg);
            Add(k + "queued", b.QueuedKg);
            Add(k + "stock", b.StockKg);
        }

        foreach (var d in r.Daily)
        {
            var k = "daily " + d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + d.Gate + " ";
            Add(k + "trucks", d.Trucks);
            Add(k + "tonnes", d.Tonnes);
            Add(k + "mean hours", d.MeanHoursToCross);
            Add(k + "queue", d.QueueAtEndOfDay);
        }

        return list;

        void AddAll(string prefix, IEnumerable<KeyValuePair<string, double>> values)
        {
            foreach (var (key, value) in values.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                Add(prefix + key, value);
            }
        }
    }

    /// <summary>Same keys in the same order and bit-identical values (Equals, so NaN equals NaN).</summary>
    internal static void AssertIdentical(List<KeyValuePair<string, double>> expected, List<KeyValuePair<string, double>> actual)
    {
        Assert.Equal(expected.Select(x => x.Key), actual.Select(x => x.Key));
        Assert.True(expected.Count > 1000, $"only {expected.Count} numbers compared");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(
                expected[i].Value.Equals(actual[i].Value),
                $"{expected[i].Key}: {expected[i].Value.ToString("R", CultureInfo.InvariantCulture)} against {actual[i].Value.ToString("R", CultureInfo.InvariantCulture)}");
        }
    }
}
