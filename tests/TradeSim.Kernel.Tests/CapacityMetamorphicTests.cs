using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Metamorphic tests on the baseline, paired replications (same seeds): a lane more, or faster inspection, at a
/// gate's two posts never raises that gate's mean hours to cross.
/// </summary>
public class CapacityMetamorphicTests
{
    private const int Days = 120;

    public static TheoryData<string> BusyGates => new() { "nam-giang", "bo-y", "dak-blo" };

    private static ScenarioDefinition Short(ScenarioDefinition definition) =>
        definition with { Settings = definition.Settings with { Days = Days } };

    private static double HoursToCross(ScenarioDefinition definition, string gate, int replication)
    {
        var result = BaselineRuns.Gate(BaselineRuns.Run(definition, seed: 7, replication), gate);
        Assert.True(result.Trucks > 100, $"{gate} crossed only {result.Trucks} trucks in {Days} days: too few to compare");
        return result.MeanHoursToCross;
    }

    [Theory]
    [MemberData(nameof(BusyGates))]
    public void HoursToCross_ALaneMoreAtBothPosts_NeverRise(string gate)
    {
        var baseline = Short(BaselineRuns.BaselineDefinition);
        var wider = BaselineRuns.WithGate(baseline, gate, g => g with { Posts = [.. g.Posts.Select(p => p with { Lanes = p.Lanes + 1 })] });
        for (var replication = 0; replication < 3; replication++)
        {
            var before = HoursToCross(baseline, gate, replication);
            var after = HoursToCross(wider, gate, replication);
            Assert.True(after <= before, $"{gate}, replication {replication}: {after:F3} h to cross with a lane more, {before:F3} h without");
        }
    }

    [Theory]
    [MemberData(nameof(BusyGates))]
    public void HoursToCross_InspectionAThirdFaster_NeverRise(string gate)
    {
        var baseline = Short(BaselineRuns.BaselineDefinition);
        static ServiceTimeDefinition Faster(ServiceTimeDefinition s) => s with { MeanMinutes = s.MeanMinutes * 2 / 3 };
        var faster = BaselineRuns.WithGate(baseline, gate, g => g with
        {
            Posts = [.. g.Posts.Select(p => p with { DefaultService = Faster(p.DefaultService), ServiceByCommodity = p.ServiceByCommodity.ToDictionary(kv => kv.Key, kv => Faster(kv.Value)) })],
        });
        for (var replication = 0; replication < 3; replication++)
        {
            var before = HoursToCross(baseline, gate, replication);
            var after = HoursToCross(faster, gate, replication);
            Assert.True(after <= before, $"{gate}, replication {replication}: {after:F3} h to cross with faster inspection, {before:F3} h without");
        }
    }
}
