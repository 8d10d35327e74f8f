using System.Text.Json;

namespace TradeSim.Client.Tests;

/// <summary>Every bundled scenario (the baseline and each what-if) conserves tonnes, in total and per commodity.</summary>
public sealed class ConservationAcrossScenariosTests
{
    public static TheoryData<string> BundledScenarioFiles => Scenarios.BundledFiles();

    [Theory]
    [MemberData(nameof(BundledScenarioFiles))]
    public void Run_BundledScenarioFor60Days_ConservationBalancesInTotalAndPerCommodity(string fileName)
    {
        var result = Cli.Run("run", Path.Combine(Scenarios.BundledDirectory, fileName), "--json", "--days", "60");

        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        var conservation = json.RootElement.GetProperty("conservation");
        AssertBalanced(conservation, "total");
        Assert.True(conservation.GetProperty("produced_t").GetDouble() > 0, "nothing was produced in 60 days");

        var byCommodity = conservation.GetProperty("by_commodity").EnumerateArray().ToList();
        Assert.NotEmpty(byCommodity);
        Assert.Equal(json.RootElement.GetProperty("commodities").GetArrayLength(), byCommodity.Count);
        foreach (var c in byCommodity)
        {
            AssertBalanced(c, c.GetProperty("commodity").GetString()!);
        }

        Assert.Equal(conservation.GetProperty("produced_t").GetDouble(), byCommodity.Sum(c => c.GetProperty("produced_t").GetDouble()), 1e-6);
    }

    private static void AssertBalanced(JsonElement e, string what)
    {
        var produced = e.GetProperty("produced_t").GetDouble();
        var accounted = e.GetProperty("delivered_t").GetDouble() + e.GetProperty("in_transit_t").GetDouble()
            + e.GetProperty("queued_t").GetDouble() + e.GetProperty("stock_t").GetDouble();
        Assert.True(Math.Abs(produced - accounted) <= 1e-6, $"{what}: produced {produced} t but accounted for {accounted} t");
        Assert.True(e.GetProperty("balanced").GetBoolean(), $"{what}: `balanced` is false");
    }
}
