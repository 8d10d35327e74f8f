using TradeSim.Client.Batches;

namespace TradeSim.Client.Tests;

/// <summary>
/// The split of a what-if's trade change into trade created and trade diverted (issue 13, item 1), on per-replication
/// KPIs written by hand: each flow's gate gains and losses against the baseline.
/// </summary>
public sealed class TradeShiftTests
{
    [Fact]
    public void FlowMovingGates_IsDiverted_AndItsGrowthCreated()
    {
        // Flow a: gate x loses 100 t, gate y gains 150 t over 365 days. 100 t moved from x to y (diverted), and the
        // flow carries 50 t more (created).
        var baseline = new Dictionary<string, double> { ["route.a.x.tonnes"] = 1000, ["route.a.y.tonnes"] = 200 };
        var scenario = new Dictionary<string, double> { ["route.a.x.tonnes"] = 900, ["route.a.y.tonnes"] = 350 };

        var (created, diverted) = TradeShift.Of(baseline, 365, scenario, 365);

        Assert.Equal(50, created, 9);
        Assert.Equal(100, diverted, 9);
    }

    [Fact]
    public void FlowsCrossingAtOneGate_AreNotDiversion_AndANewFlowIsAllCreated()
    {
        // Flow a leaves gate x (-80 t, trade lost) while flow b arrives at it (+80 t on a new route of b): gate x's
        // total is unchanged, but no tonne moved between gates within a flow: a destroys 80 t, b diverts 80 t from z.
        // Flow c exists only in the scenario (a new supply): all 30 t of it are created. The window is half a year.
        var baseline = new Dictionary<string, double>
        {
            ["route.a.x.tonnes"] = 80, ["route.b.z.tonnes"] = 100, ["gate.x.tonnes"] = 80, ["total.trade_created_t_per_year"] = 0,
        };
        var scenario = new Dictionary<string, double>
        {
            ["route.a.x.tonnes"] = 0, ["route.b.x.tonnes"] = 80, ["route.b.z.tonnes"] = 20, ["route.c.x.tonnes"] = 15, ["gate.x.tonnes"] = 95, ["total.trade_created_t_per_year"] = 12.5,
        };

        var (created, diverted) = TradeShift.Of(baseline, 365, scenario, 365);
        Assert.Equal(-80 + 0 + 15, created, 9);
        Assert.Equal(80, diverted, 9);

        // The tally keeps the trade response's part as the runs report it.
        var tally = new TradeShift.Tally(365, 365);
        tally.Add(baseline, scenario);
        var outcome = tally.ToOutcome();
        Assert.Equal(-65, outcome.CreatedTonnesPerYear.Mean, 9);
        Assert.Equal(80, outcome.DivertedTonnesPerYear.Mean, 9);
        Assert.Equal(12.5, outcome.ElasticCreatedTonnesPerYear.Mean, 9);

        // Tonnes are rates a year: the same scenario tonnes in a 73-day window are five times the rate. Flow b now
        // gains 400 t at x and keeps z's 100 t: created, not diverted.
        var fifth = TradeShift.Of(baseline, 365, scenario, 73);
        Assert.Equal(-80 + 400 + 75, fifth.Created, 9);
        Assert.Equal(0, fifth.Diverted, 9);
    }

    [Fact]
    public void SameRuns_CreateAndDivertNothing()
    {
        var kpis = new Dictionary<string, double> { ["route.a.x.tonnes"] = 1000, ["route.a.y.tonnes"] = 200, ["route.b._direct.tonnes"] = 7 };
        Assert.Equal((0.0, 0.0), TradeShift.Of(kpis, 365, kpis, 365));
    }
}
