using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;
using Xunit.Abstractions;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Travellers at the gates (issue 13, item 2): persons cleared at each post's immigration counters, their non-truck
/// vehicles in the trucks' lanes and queues, and customs transit declarations lodged per lot of a flow's trips. Built on
/// <see cref="TinyFleetNetwork"/> (gate g between A, vn, and B, la); every statistical test names its seed and tolerance.
/// </summary>
public class TravellerTests(ITestOutputHelper output)
{
    // A year with no trucks: 36,500 persons (100 a day), three Vietnamese to one Lao, four to a vehicle, at posts open
    // 07:00-19:00, so travellers arriving at night wait for opening.
    private const string PersonsOnly = """
        settings:
          days: 365
        gates:
          g:
            travellers: { persons_per_year: 36500, nationality: { vn: 3, la: 1 }, persons_per_vehicle: 4 }
            vn: { hours: "07:00-19:00", immigration: { counters: 2, mean_seconds: 60, cv: 0.5 } }
            la: { hours: "07:00-19:00", immigration: { counters: 2, mean_seconds: 90, cv: 0.8 } }
        flows: {}
        """;

    // Trucks of a trade flow (about 11 loads a day each way) through one lane at each post, 20-minute checks of cv 1,
    // open 07:00-19:00: a lane the travellers' vehicles can congest.
    private const string SharedLane = """
        settings:
          days: 120
          warmup_days: 14
        carriers:
          haulers: { trucks: 30 }
        gates:
          g:
            vn: { lanes: 1, hours: "07:00-19:00", service: { default: { mean_minutes: 20, cv: 1 } }, immigration: { counters: 2, mean_seconds: 60, cv: 0.5 } }
            la: { lanes: 1, hours: "07:00-19:00", service: { default: { mean_minutes: 20, cv: 1 } }, immigration: { counters: 2, mean_seconds: 60, cv: 0.5 } }
        flows:
          a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 40000, value_usd_per_t: 100, daily_cv: 0 }
        """;

    private static string Travellers(double personsPerYear, double personsPerVehicle, double vehicleMinutes = 10) => $$"""
        gates:
          g:
            travellers: { persons_per_year: {{personsPerYear}}, persons_per_vehicle: {{personsPerVehicle}} }
            vn: { vehicle_service: { mean_minutes: {{vehicleMinutes}}, cv: 0.5 } }
            la: { vehicle_service: { mean_minutes: {{vehicleMinutes}}, cv: 0.5 } }
        """;

    [Fact]
    public void PersonCrossings_36500AYear_CountedWithinNoiseAndSplitByNationality()
    {
        var result = BaselineRuns.Run(TinyFleetNetwork.Definition(PersonsOnly), seed: 3, replication: 0);
        var gate = BaselineRuns.Gate(result, "g");

        // Vehicles arrive as a Poisson process (9,125 expected) with 1 + Poisson(3) persons each: the count's standard
        // deviation is about sqrt(9,125 x (3 + 16)) = 416, 1.1%; 4% is over three of them. Seed 3.
        Assert.InRange(gate.PersonCrossings, 36500 * 0.96, 36500 * 1.04);
        Assert.Equal(["la", "vn"], gate.PersonCrossingsByNationality.Keys);
        var vnShare = (double)gate.PersonCrossingsByNationality["vn"] / gate.PersonCrossings;

        // A binomial share of 0.75 over 36,500 persons has a standard deviation of 0.0023 (more with whole vehicles of
        // independent draws: none), so 0.01 is four of them.
        Assert.InRange(vnShare, 0.74, 0.76);
        Assert.InRange(gate.NonTruckVehicleCrossings, 9125 * 0.96, 9125 * 1.04);
        Assert.Equal(gate.Trucks + gate.NonTruckVehicleCrossings, gate.VehicleCrossings);
        Assert.Equal(0, gate.Trucks);

        // Persons arriving at night wait for the 07:00 opening at the first post: the mean wait is hours, not seconds.
        Assert.All(gate.Posts, p => Assert.True(p.PersonsServed > 30000, $"post {p.Country} cleared {p.PersonsServed}"));
        Assert.True(gate.Posts[0].MeanImmigrationWaitHours > 1, $"mean immigration wait {gate.Posts[0].MeanImmigrationWaitHours} h");
    }

    [Fact]
    public void TravellerAccount_RunEndingAtNight_EveryPersonAndVehicleArrivedIsCrossedOrStillAtTheGate()
    {
        // No warm-up, so the window is the whole run and each crossing is counted once in both; the run ends at
        // midnight, when the posts are closed and the night's travellers are waiting.
        var result = BaselineRuns.Run(TinyFleetNetwork.Definition(PersonsOnly, "settings: { days: 30 }\n"), seed: 4, replication: 0);
        var gate = BaselineRuns.Gate(result, "g");
        var account = gate.Travellers;

        Assert.True(account.PersonsAtGate > 0 && account.VehiclesAtGate > 0, $"{account}");
        Assert.Equal(account.PersonsArrived, account.PersonsCrossed + account.PersonsAtGate);
        Assert.Equal(account.VehiclesArrived, account.VehiclesCrossed + account.VehiclesAtGate);
        Assert.True(account.Balances);
        Assert.Equal(account.PersonsCrossed, gate.PersonCrossings);
        Assert.Equal(account.VehiclesCrossed, gate.NonTruckVehicleCrossings);
    }

    [Fact]
    public void TravellerAccount_Baseline_BalancesAtEveryGate()
    {
        Assert.All(BaselineRuns.BaselineSeed1.Gates, g => Assert.True(g.Travellers.Balances, $"{g.Id}: {g.Travellers}"));
        Assert.True(BaselineRuns.Gate(BaselineRuns.BaselineSeed1, "nam-giang").Travellers.PersonsArrived > 0);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void TruckQueueing_MoreCarsForTheSamePersons_Rises(ulong seed)
    {
        // The same 8,000 persons a year in 2,000, then 4,000 and 8,000 cars of 10-minute checks: every extra car takes
        // lane time the trucks then wait for. The trucks alone keep each one-lane post busy about 61% of its open hours;
        // the cars add about 8%, 15% and 30%.
        double TruckQueueing(string? travellers)
        {
            var definition = travellers is null ? TinyFleetNetwork.Definition(SharedLane) : TinyFleetNetwork.Definition(SharedLane, travellers);
            return BaselineRuns.Gate(BaselineRuns.Run(definition, seed, replication: 0), "g").Split.QueueingHours;
        }

        var none = TruckQueueing(null);
        var few = TruckQueueing(Travellers(8000, 4));
        var some = TruckQueueing(Travellers(8000, 2));
        var many = TruckQueueing(Travellers(8000, 1));

        Assert.True(none < few && few < some && some < many, $"trucks' queueing hours: none {none}, 2,000 cars {few}, 4,000 {some}, 8,000 {many}");
    }

    [Fact]
    public void Trucks_ImmigrationCountersChanged_IdenticalTruckResults()
    {
        // Persons queue at counters, not in the lanes: one slow counter or five quick ones change the persons' waits
        // and nothing of the trucks' (their lanes, their random numbers, the cars beside them).
        var travellers = Travellers(8000, 2);
        var slow = BaselineRuns.Run(TinyFleetNetwork.Definition(SharedLane, travellers, "gates:\n  g:\n    vn: { immigration: { counters: 1, mean_seconds: 600 } }\n"), seed: 1, replication: 0);
        var quick = BaselineRuns.Run(TinyFleetNetwork.Definition(SharedLane, travellers, "gates:\n  g:\n    vn: { immigration: { counters: 5, mean_seconds: 30 } }\n"), seed: 1, replication: 0);

        static List<KeyValuePair<string, double>> Trucks(RunResult r) =>
            [.. DeterminismTests.Flatten(r).Where(x => !x.Key.StartsWith(DeterminismTests.TravellerPrefix, StringComparison.Ordinal))];

        // Time averages integrate over the intervals between the gate's events, and the persons' events cut those
        // intervals elsewhere: their sums may differ in the last bits, and nothing more.
        var expected = Trucks(slow);
        var actual = Trucks(quick);
        Assert.Equal(expected.Select(x => x.Key), actual.Select(x => x.Key));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i].Value, actual[i].Value);
            Assert.True(e.Equals(a) || Math.Abs(e - a) <= 1e-12 * Math.Max(Math.Abs(e), Math.Abs(a)), $"{expected[i].Key}: {e} against {a}");
        }

        Assert.Equal(BaselineRuns.Gate(slow, "g").NonTruckVehicleCrossings, BaselineRuns.Gate(quick, "g").NonTruckVehicleCrossings);
        Assert.True(
            BaselineRuns.Gate(slow, "g").Posts[0].MeanImmigrationWaitHours > BaselineRuns.Gate(quick, "g").Posts[0].MeanImmigrationWaitHours + 0.1,
            $"one 10-minute counter should keep persons waiting longer than five 30-second ones: {BaselineRuns.Gate(slow, "g").Posts[0].MeanImmigrationWaitHours} h against {BaselineRuns.Gate(quick, "g").Posts[0].MeanImmigrationWaitHours} h");
    }

    [Theory]
    [InlineData(11.25)]
    [InlineData(4)]
    public void Declarations_LotsOfAFlowsTransitTrips_TripsPerDeclarationIsTheLotSize(double tripsPerDeclaration)
    {
        // Transit from B to A: loaded trucks enter by the Lao post and leave by the Vietnamese one, whose customs
        // lodges the declarations. Lots open at trip ceil(k x T), so declarations = ceil(trips / T) exactly.
        var result = BaselineRuns.Run(TinyFleetNetwork.Definition(Transit(tripsPerDeclaration, 60)), seed: 1, replication: 0);
        var gate = BaselineRuns.Gate(result, "g");

        Assert.True(gate.DeclaredTrips > 300, $"{gate.DeclaredTrips} trips");
        // Trips are lodged when their service starts, crossings counted when it ends: one may be in service at the end.
        Assert.InRange(gate.DeclaredTrips - gate.LoadedTrucks, 0, 1);
        Assert.Equal((long)Math.Ceiling(gate.DeclaredTrips / tripsPerDeclaration), gate.TransitDeclarations);
        var measured = KpiCatalogue.Gate.Single(m => m.Measure == "trips_per_declaration").ValueOf(gate);
        Assert.InRange(measured, tripsPerDeclaration * 0.97, tripsPerDeclaration);
    }

    [Fact]
    public void Declarations_ProcessingTime_AddedToTheLotsFirstTruckOnly()
    {
        // Service is a constant 6 minutes (cv 0) at both posts: at the Vietnamese post the mean is then exactly 6
        // minutes plus an hour for each declaration, spread over every truck it served (loaded and empty).
        var without = BaselineRuns.Gate(BaselineRuns.Run(TinyFleetNetwork.Definition(Transit(11.25, 0)), seed: 1, replication: 0), "g");
        var with = BaselineRuns.Gate(BaselineRuns.Run(TinyFleetNetwork.Definition(Transit(11.25, 60)), seed: 1, replication: 0), "g");
        var vn = with.Posts.Single(p => p.Country == "vn");

        Assert.Equal(0.1, without.Posts.Single(p => p.Country == "vn").MeanServiceHours, 1e-9);
        Assert.Equal(0.1 + (1.0 * with.TransitDeclarations / vn.Served), vn.MeanServiceHours, 1e-9);
        Assert.Equal(0.1, with.Posts.Single(p => p.Country == "la").MeanServiceHours, 1e-9);
        Assert.True(with.TransitDeclarations > 30, $"{with.TransitDeclarations} declarations");
    }

    [Fact]
    public void Run_TravellersAndDeclarations_IdenticalOnOneAndThreeThreads()
    {
        var definition = TinyFleetNetwork.Definition(SharedLane, Travellers(8000, 2), "gates:\n  g:\n    travellers: { nationality: { vn: 5, la: 2, other: 1 } }\n");
        var network = BaselineRuns.Compile(definition);
        var one = new Simulation(network, 7, 2, threads: 1).Run();
        var three = new Simulation(network, 7, 2, threads: 3).Run();

        Assert.Equal(DeterminismTests.Flatten(one), DeterminismTests.Flatten(three));
        Assert.Equal(KpiCatalogue.Extract(one), KpiCatalogue.Extract(three));
    }

    [Fact]
    public void Baseline_NamGiangFirstOfJanuaryToTwentyFirstOfSeptember_ReproducesThePersonCrossings()
    {
        // 000: 53,464 person crossings from 1 January to the article's date, 21 September 2023 (264 days). The
        // vehicle crossings (14,801 in 000) are held out: reported here, never fitted.
        var definition = BaselineRuns.BaselineDefinition with { Settings = BaselineRuns.BaselineDefinition.Settings with { Start = new DateOnly(2023, 1, 1), Days = 264 } };
        var gate = BaselineRuns.Gate(BaselineRuns.Run(definition, seed: 1, replication: 0), "nam-giang");

        Assert.InRange(gate.PersonCrossings, 53464 * 0.9, 53464 * 1.1);
        Assert.Equal(["la", "other", "vn"], gate.PersonCrossingsByNationality.Keys);
        Assert.InRange((double)gate.PersonCrossingsByNationality["la"] / gate.PersonCrossings, 4332 / 53464.0 * 0.9, 4332 / 53464.0 * 1.1);
        Assert.True(gate.NonTruckVehicleCrossings > 0);
        Assert.Equal(gate.Trucks + gate.NonTruckVehicleCrossings, gate.VehicleCrossings);
        output.WriteLine($"Nam Giang, 1 Jan - 21 Sep 2023, seed 1: {gate.PersonCrossings:N0} person crossings (000: 53,464), {gate.VehicleCrossings:N0} vehicle crossings ({gate.Trucks:N0} trucks, {gate.NonTruckVehicleCrossings:N0} others; 000: 14,801, held out)");
    }

    [Theory]
    [InlineData("gates:\n  g:\n    travellers: { persons_per_year: 100, persons_per_vehicle: 2 }\n", "post 'vn' has no `immigration:`")]
    [InlineData("gates:\n  g:\n    travellers: { persons_per_year: 100, persons_per_vehicle: 0.5 }\n", "persons_per_vehicle is 0.5")]
    [InlineData("gates:\n  g:\n    travellers: { persons_per_year: 100, persons_per_vehicle: 2, entry_share: { cn: 1 } }\n", "entry_share: unknown post 'cn'")]
    [InlineData("gates:\n  g:\n    travellers: { persons_per_year: 100, persons_per_vehicle: 2, nationality: { vn: 0 } }\n", "every weight is 0")]
    [InlineData("gates:\n  g:\n    vn: { transit_declarations: { trips_per_declaration: 0.5, declaration_minutes: 10 } }\n", "trips_per_declaration is 0.5")]
    public void Parse_BadTravellersOrDeclarations_LocatedError(string layer, string expected)
    {
        var parsed = TinyFleetNetwork.Parse("flows: {}\n", layer);

        Assert.False(parsed.Succeeded);
        Assert.Contains(parsed.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_CalibrationTargetWithItsOwnPeriodAndNationality_Read()
    {
        const string layer = """
            calibration:
              from: 2023-01-01
              to: 2023-08-31
              targets:
                lao-persons: { observed: 4332, metric: person_crossings, gate: g, nationality: la, from: 2023-01-01, to: 2023-09-21 }
                vehicles: { observed: 14801, metric: vehicle_crossings, gate: g, held_out: true }
            """;
        var calibration = TinyFleetNetwork.Definition("flows: {}\n", layer).Calibration!;
        var persons = calibration.Targets.Single(t => t.Id == "lao-persons");
        var vehicles = calibration.Targets.Single(t => t.Id == "vehicles");

        Assert.Equal(CalibrationMetric.PersonCrossings, persons.Metric);
        Assert.Equal("la", persons.Nationality);
        Assert.Equal(264, calibration.PeriodOf(persons).Days);
        Assert.Equal(243, calibration.PeriodOf(vehicles).Days);
        Assert.True(vehicles.HeldOut);
        Assert.Equal([calibration.PeriodOf(persons), calibration.PeriodOf(vehicles)], calibration.Periods());
    }

    [Fact]
    public void Parse_CalibrationParameters_ReadWithTheirBounds_AndABadPairRefusedAtItsLine()
    {
        const string layer = """
            calibration:
              from: 2023-01-01
              to: 2023-08-31
              parameters:
                flows.b-to-a.tonnes_per_year: { min: 100, max: 90000 }
              targets:
                turnover: { observed: 1000000, metric: value_usd, gate: g }
            """;
        var calibration = TinyFleetNetwork.Definition("flows: {}\n", layer).Calibration!;
        var parameter = Assert.Single(calibration.Parameters);
        Assert.Equal(("flows.b-to-a.tonnes_per_year", 100.0, 90000.0), (parameter.Path, parameter.Min, parameter.Max));
        Assert.Equal(CalibrationMetric.ValueUsd, calibration.Targets.Single().Metric);

        var bad = TinyFleetNetwork.Parse("flows: {}\n", layer.Replace("{ min: 100, max: 90000 }", "{ min: 5, max: 5 }", StringComparison.Ordinal));
        Assert.False(bad.Succeeded);
        var error = Assert.Single(bad.Errors);
        Assert.Contains("calibration parameter 'flows.b-to-a.tonnes_per_year': min 5 is not below max 5: expected min < max", error.Message, StringComparison.Ordinal);
        Assert.True(error.Location.Line > 0);
    }

    private static string Transit(double tripsPerDeclaration, double minutes) => $$"""
        settings:
          days: 120
        gates:
          g:
            vn: { transit_declarations: { trips_per_declaration: {{tripsPerDeclaration}}, declaration_minutes: {{minutes}} } }
        carriers:
          haulers: { trucks: 6 }
        flows:
          b-to-a: { commodity: goods, from: b, to: a, traffic: transit, carrier: haulers, tonnes_per_year: 12000, value_usd_per_t: 100, daily_cv: 0 }
        """;
}
