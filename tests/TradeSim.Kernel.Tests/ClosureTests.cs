using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Gate closures on the baseline (seed 1, replication 0): a closed gate passes no truck, and traffic that has another
/// gate allowed for it goes there instead.
/// </summary>
public class ClosureTests
{
    private static readonly DateOnly _closureStart = new(2023, 6, 1);
    private const int ClosureDays = 14;

    private static readonly Lazy<RunResult> _namGiangClosed = new(() => BaselineRuns.Run(
        BaselineRuns.WithGate(BaselineRuns.BaselineDefinition, "nam-giang", g => g with { Closures = [new ClosureDefinition(_closureStart, ClosureDays, "test")] }),
        seed: 1,
        replication: 0));

    [Fact]
    public void Daily_NamGiangClosedTwoWeeks_NoTrucksDuringClosureAndTrucksEveryDayBefore()
    {
        var daily = _namGiangClosed.Value.Daily.Where(d => d.Gate == "nam-giang").ToDictionary(d => d.Date);
        var closureEnd = _closureStart.AddDays(ClosureDays);

        for (var date = _closureStart; date < closureEnd; date = date.AddDays(1))
        {
            Assert.True(daily[date].Trucks == 0, $"nam-giang released {daily[date].Trucks} trucks on {date:yyyy-MM-dd}, inside its closure");
            Assert.Equal(0, daily[date].Tonnes);
        }

        for (var date = new DateOnly(2023, 1, 1); date < _closureStart; date = date.AddDays(1))
        {
            Assert.True(daily[date].Trucks > 0, $"nam-giang released no truck on {date:yyyy-MM-dd}, before its closure");
        }

        // Trucks caught inside the gate wait out the closure and leave the day it reopens, after more than a day.
        Assert.True(daily[_closureStart.AddDays(ClosureDays - 1)].QueueAtEndOfDay > 0, "no truck waiting at nam-giang at the end of its closure");
        Assert.True(daily[closureEnd].Trucks > 0, $"nam-giang released no truck on {closureEnd:yyyy-MM-dd}, the day it reopened");
        Assert.True(daily[closureEnd].MeanHoursToCross > 24, $"trucks leaving on reopening took {daily[closureEnd].MeanHoursToCross:F1} h on average");
    }

    [Fact]
    public void Transit_NamGiangClosedTwoWeeks_DivertsToBoY()
    {
        var baseline = BaselineRuns.BaselineSeed1;
        var closed = _namGiangClosed.Value;

        // Transit may only use international gates; for Sekong's bauxite and starch that is Nam Giang or Bo Y.
        // (With logit route choice an odd transit truck takes Bo Y in the baseline too.)
        var baseTransit = BaselineRuns.Gate(baseline, "bo-y").LoadedTrucksByTraffic["transit"];
        Assert.True(baseTransit < 10, $"bo-y carried {baseTransit} transit trucks in the baseline");
        Assert.True(BaselineRuns.Gate(closed, "bo-y").LoadedTrucksByTraffic["transit"] > baseTransit + 50, "transit trucks did not divert to bo-y while nam-giang was closed");
        Assert.True(
            closed.LegsDiverted > baseline.LegsDiverted,
            $"legs diverted: {closed.LegsDiverted} with the closure, {baseline.LegsDiverted} without");

        // Trucks did not stop moving: over the year, closure and all, nearly as much transit crossed as in the baseline.
        var transitTonnes = closed.Gates.Sum(g => g.TonnesByTraffic["transit"]);
        var baselineTransitTonnes = baseline.Gates.Sum(g => g.TonnesByTraffic["transit"]);
        Assert.InRange(transitTonnes, 0.9 * baselineTransitTonnes, 1.1 * baselineTransitTonnes);
    }

    [Fact]
    public void Trucks_GiaKhauClosedAllRun_PassesNoneAndPoToTakesItsTraffic()
    {
        var restored = BaselineRuns.WithCrossingPointsRestored;
        var baseline = BaselineRuns.Run(restored, seed: 1, replication: 0);
        var result = BaselineRuns.Run(CloseForWholeRun(restored, "gia-khau"), seed: 1, replication: 0);

        var giaKhau = BaselineRuns.Gate(result, "gia-khau");
        Assert.Equal(0, giaKhau.Trucks);
        Assert.Equal(0, giaKhau.Tonnes);
        Assert.All(result.Daily.Where(d => d.Gate == "gia-khau"), d => Assert.Equal(0, d.Trucks));

        // With the crossing points restored, Lai Chau traffic shares gia-khau and po-to (si-choang is suspended; their
        // costs differ by less than the route choice's dispersion); closing gia-khau moves its traffic to po-to.
        var baseGiaKhau = BaselineRuns.Gate(baseline, "gia-khau").Trucks;
        var basePoTo = BaselineRuns.Gate(baseline, "po-to").Trucks;
        Assert.True(baseGiaKhau > 100, $"gia-khau {baseGiaKhau}, po-to {basePoTo}");
        Assert.True(BaselineRuns.Gate(result, "po-to").Trucks > basePoTo + (baseGiaKhau / 2), "gia-khau's trucks did not move to po-to");
        Assert.True(result.Conservation.Balances);
    }

    [Fact]
    public void Trucks_AllLaiChauGatesClosedAllRun_NothingCrossesAndHerbsWaitAtTheGate()
    {
        // With si-choang, po-to, gia-khau and ma-lu-thang all closed, Lai Chau - Jinping traffic has no way across.
        var definition = BaselineRuns.BaselineDefinition;
        foreach (var gate in new[] { "si-choang", "po-to", "gia-khau", "ma-lu-thang" })
        {
            definition = CloseForWholeRun(definition, gate);
        }

        var result = BaselineRuns.Run(definition, seed: 1, replication: 0);

        foreach (var gate in result.Gates.Where(g => g.Corridor == "lai-chau-honghe"))
        {
            Assert.Equal(0, gate.Trucks);
        }

        Assert.Equal(4, result.Gates.Count(g => g.Corridor == "lai-chau-honghe"));
        var herbs = Assert.Single(result.Commodities, c => c.Id == "medicinal-herbs");
        Assert.True(herbs.ProducedTonnes > 0);
        Assert.Equal(0, herbs.DeliveredTonnes);
        Assert.Equal(0, herbs.CrossedTonnes);
        var balance = Assert.Single(result.Conservation.ByCommodity, b => b.Commodity == "medicinal-herbs");
        Assert.True(balance.Balances);
        Assert.Equal(0, balance.DeliveredKg);
        Assert.True(balance.QueuedKg > 0, "herb trucks should be waiting at a closed gate");
    }

    /// <summary>Closes a gate from the first day of warm-up for longer than the run.</summary>
    private static ScenarioDefinition CloseForWholeRun(ScenarioDefinition definition, string gateId)
    {
        var from = definition.Settings.Start.AddDays(-definition.Settings.WarmupDays);
        var days = definition.Settings.WarmupDays + definition.Settings.Days + 1;
        return BaselineRuns.WithGate(definition, gateId, g => g with { Closures = [.. g.Closures, new ClosureDefinition(from, days, "test: closed all run")] });
    }
}
