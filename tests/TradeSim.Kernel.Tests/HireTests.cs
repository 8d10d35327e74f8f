using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Hiring (issue 12, item 6): a carrier whose oldest waiting load has waited more than `after_hours`, with none of
/// its own trucks idle, hires trucks (up to `max_trucks` at once) at `usd_per_day` for each day or part of one, and
/// lets each go when it comes home to no waiting cargo.
/// </summary>
public class HireTests
{
    // January only: 3,000 t a year at a seasonal factor of 12 is 98.6 t (9.9 loads of 10 t) a day in January, and
    // nothing after. A load's cycle is 6.6 h (1 h loading, 2.3 h each way, 1 h unloading), so the two own trucks
    // carry 7.3 loads a day: January needs about one truck more.
    private const string JanuaryFlow = """
        settings:
          days: 90
        flows:
          a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 3000, value_usd_per_t: 100, daily_cv: 0, seasonality: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }
        """;

    private static string Hire(double usdPerDay) => $"carriers:\n  haulers:\n    hire: {{ max_trucks: 3, usd_per_day: {usdPerDay}, after_hours: 6 }}\n";

    [Fact]
    public void Hire_TooFewTrucksForJanuary_HiresForJanuaryOnly_AndPaysTheDayRateForEachDay()
    {
        var paid = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(JanuaryFlow, Hire(50)));
        var free = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(JanuaryFlow, Hire(0)));
        var none = TinyFleetNetwork.Run(TinyFleetNetwork.Definition(JanuaryFlow));

        var days = TinyFleetNetwork.Haulers(paid).HiredTruckDays;
        Assert.True(days > 0, "no truck was hired in January");

        // Hired trucks are let go once January's cargo is gone: had they been kept, 3 trucks x 90 days would be paid.
        Assert.True(days <= 3 * 33, $"{days} truck-days hired, more than three trucks through January and two days");
        Assert.Equal(0, TinyFleetNetwork.Haulers(none).HiredTruckDays);

        // The day rate changes no decision, so the runs differ only by the hired days at 50 USD each.
        Assert.Equal(days, TinyFleetNetwork.Haulers(free).HiredTruckDays);
        Assert.Equal(50.0 * days, TinyFleetNetwork.Haulers(paid).HireCostUsd);
        Assert.Equal(50.0 * days, paid.OperatingCostUsd - free.OperatingCostUsd, 1e-6);

        // By the end of March every full load is delivered either way (hired trucks only carried it sooner), and
        // every kilogram is accounted.
        Assert.True(paid.Conservation.Balances && none.Conservation.Balances);
        Assert.Equal(none.Commodities.Sum(c => c.DeliveredTonnes), paid.Commodities.Sum(c => c.DeliveredTonnes));
        Assert.Equal(0, paid.Conservation.InTransitTonnes + paid.Conservation.QueuedTonnes + TinyFleetNetwork.Haulers(paid).BacklogTonnes);
    }

    [Fact]
    public void Hire_EndOfJanuary_LeavesLessCargoWaitingThanTheOwnTrucksAlone()
    {
        var january = "settings:\n  days: 31\n";
        var hired = TinyFleetNetwork.Haulers(TinyFleetNetwork.Run(TinyFleetNetwork.Definition(JanuaryFlow, january, Hire(50))));
        var own = TinyFleetNetwork.Haulers(TinyFleetNetwork.Run(TinyFleetNetwork.Definition(JanuaryFlow, january)));

        // Own trucks alone fall 2.6 loads a day behind: about 80 loads (800 t) by the end of January. A hired truck
        // goes for every load older than 6 h, so with hiring less than 6 h of cargo (25 t) can be waiting.
        Assert.True(own.BacklogTonnes > 500, $"{own.BacklogTonnes} t waiting without hiring");
        Assert.True(hired.BacklogTonnes <= 30, $"{hired.BacklogTonnes} t waiting with hiring");
        Assert.True(hired.BacklogMeanAgeHours <= 6, $"cargo waiting {hired.BacklogMeanAgeHours} h on average with hiring");
    }

    [Fact]
    public void Backlog_NamGiangLandslide_IsGoneWithin30DaysOfReopening_AndNotWithoutHiring()
    {
        // The landslide closes Nam Giang for 14 days; runs end 30 days after it reopens. Sekong's transit carriers
        // (bauxite and starch) have cargo waiting at the mine and the mill: "gone" means that, averaged over paired
        // replications (same seed and replication), the tonnes they have waiting are at most those of the same runs
        // without the closure plus one day of their demand.
        var landslide = BaselineRuns.LoadWhatIf("nam-giang-landslide.yaml");
        var closure = Assert.Single(landslide.Gates.Single(g => g.Id == "nam-giang").Closures);
        Assert.Equal(14, closure.Days);
        var end = closure.From.AddDays(closure.Days + 30);
        var withHiring = landslide with { Settings = landslide.Settings with { Days = end.DayNumber - landslide.Settings.Start.DayNumber } };
        var noClosure = BaselineRuns.WithGate(withHiring, "nam-giang", g => g with { Closures = [] });
        var noHiring = withHiring with { Carriers = [.. withHiring.Carriers.Select(c => c with { Hire = null })] };

        var transit = withHiring.Flows.Where(f => f.Traffic == TrafficKind.Transit).Select(f => f.Carrier).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["sekong-bauxite-haulers", "sekong-starch-haulers"], transit.Order(StringComparer.Ordinal));
        Assert.All(withHiring.Carriers.Where(c => transit.Contains(c.Id)), c => Assert.NotNull(c.Hire));
        var oneDay = withHiring.Flows.Where(f => transit.Contains(f.Carrier)).Sum(f => f.TonnesPerYear) / 365;

        const int replications = 10;
        double Backlog(RunResult r) => r.Fleets.Where(f => transit.Contains(f.Id)).Sum(f => f.BacklogTonnes);
        double hired = 0, free = 0, notClosed = 0;
        long hiredDays = 0;
        for (var replication = 0; replication < replications; replication++)
        {
            var run = BaselineRuns.Run(withHiring, seed: 1, replication);
            hired += Backlog(run) / replications;
            hiredDays += run.Fleets.Sum(f => f.HiredTruckDays);
            Assert.True(run.Conservation.Balances);
            free += Backlog(BaselineRuns.Run(noHiring, seed: 1, replication)) / replications;
            notClosed += Backlog(BaselineRuns.Run(noClosure, seed: 1, replication)) / replications;
        }

        Assert.True(hiredDays > 0, "no truck was hired");
        Assert.True(hired <= notClosed + oneDay, $"with hiring {hired:F0} t waiting 30 days after reopening, {notClosed:F0} t without the closure (one day of demand: {oneDay:F0} t)");
        // Measured (seed 1, 10 replications): 61 t with hiring, 14 t without the closure, 551 t without hiring (trucks
        // turning back from the closed gate already carry much of the transit through Bo Y).
        Assert.True(free > 4 * hired, $"without hiring {free:F0} t waiting 30 days after reopening, with hiring {hired:F0} t, {notClosed:F0} t without the closure");
    }

    [Fact]
    public void FleetShortfalls_CountTheTrucksAFleetMayHire()
    {
        // Two trucks carry 7.3 loads a day at most: 36,500 t a year (10 loads a day) is beyond them, not beyond five.
        const string steady = "flows:\n  a-to-b: { commodity: goods, from: a, to: b, traffic: trade, carrier: haulers, tonnes_per_year: 36500, value_usd_per_t: 100, daily_cv: 0 }\n";
        var own = BaselineRuns.Compile(TinyFleetNetwork.Definition(steady)).FleetShortfalls();
        var withHire = BaselineRuns.Compile(TinyFleetNetwork.Definition(steady, Hire(50))).FleetShortfalls();

        var shortfall = Assert.Single(own);
        Assert.Equal(("haulers", 2, 0), (shortfall.Carrier, shortfall.Trucks, shortfall.MaxHiredTrucks));
        Assert.Equal(3, shortfall.TrucksNeeded);
        Assert.Empty(withHire);
    }

    [Fact]
    public void Parse_Hire_NeedsItsThreeValues_AndTildeRemovesIt()
    {
        var missing = ScenarioParser.Parse([new ScenarioSource("base.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml"))), new ScenarioSource("hire.yaml", "carriers:\n  sekong-bauxite-haulers:\n    hire: { max_trucks: 4, after_hours: 48 }\n")]);
        var error = Assert.Single(missing.Errors);
        Assert.Equal(("hire.yaml", 3), (error.Location.Source, error.Location.Line));
        Assert.Contains("missing `usd_per_day:`", error.Message, StringComparison.Ordinal);

        var removed = BaselineRuns.LoadWhatIf("nam-giang-landslide.yaml", "carriers:\n  sekong-bauxite-haulers:\n    hire: ~\n");
        Assert.Null(removed.Carriers.Single(c => c.Id == "sekong-bauxite-haulers").Hire);
        Assert.Equal(new HireDefinition(4, 100, 72), removed.Carriers.Single(c => c.Id == "sekong-starch-haulers").Hire);
    }
}
