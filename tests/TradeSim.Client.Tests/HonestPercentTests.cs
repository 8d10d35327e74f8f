using System.Text.Json;

namespace TradeSim.Client.Tests;

/// <summary>
/// Percent changes only where the base is material (issue 11, item 3): raising Dak Blo to a main gate lengthens its
/// queueing, whose baseline level is some twenty seconds and barely known (its 95% interval is wider than a tenth of
/// it); a percentage of that is not one anyone should read. The KPIs of busy gates and the totals keep theirs.
/// </summary>
public sealed class HonestPercentTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-percent-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void PercentOfASmallOrUncertainBase_IsNull_ThatOfAMaterialOneIsNot()
    {
        var result = Cli.Run("batch", "baseline", "dak-blo-main-gate", "--replications", "20", "--db", Path.Combine(_folder, "r.db"), "--json");

        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.Json);
        var scenario = json.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "dak-blo-main-gate");
        var vs = scenario.GetProperty("vs_baseline");
        var baseline = json.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "baseline").GetProperty("kpis");
        // The base is above zero, so a percent would be computed without the rule; the change is real.
        // (Queueing at Dak Blo: a base of under a minute, too uncertain for an honest percent.)
        foreach (var kpi in new[] { "gate.dak-blo.queueing_hours_mean", "post.dak-blo.la.queueing_hours_mean" })
        {
            Assert.True(baseline.GetProperty(kpi).GetProperty("mean").GetDouble() > 0, kpi);
            Assert.True(vs.GetProperty(kpi).GetProperty("significant").GetBoolean(), kpi);
            Assert.Equal(JsonValueKind.Null, vs.GetProperty(kpi).GetProperty("percent").ValueKind);
        }

        Assert.Equal(JsonValueKind.Number, vs.GetProperty("total.trade_value_usd").GetProperty("percent").ValueKind);
        Assert.Equal(JsonValueKind.Number, vs.GetProperty("gate.bo-y.trucks").GetProperty("percent").ValueKind);
    }
}
