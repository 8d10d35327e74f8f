using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Metamorphic tests on the baseline, paired replications (same seeds): a lane more, or faster inspection, at a
/// gate's two posts does not raise that gate's mean hours to cross over the replications, nor by more than 1% in any
/// one. Not exactly never in each: the capacity also changes which trucks choose the gate (a few border residents'
/// loads choose between Dak Blo and Bo Y by the announced queue), so one replication's mix of trucks may differ.
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
        AssertNoRise(gate, "with a lane more", r => HoursToCross(baseline, gate, r), r => HoursToCross(wider, gate, r));
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
        AssertNoRise(gate, "with faster inspection", r => HoursToCross(baseline, gate, r), r => HoursToCross(faster, gate, r));
    }

    private static void AssertNoRise(string gate, string change, Func<int, double> before, Func<int, double> after)
    {
        double sumBefore = 0, sumAfter = 0;
        for (var replication = 0; replication < 3; replication++)
        {
            var b = before(replication);
            var a = after(replication);
            Assert.True(a <= b * 1.01, $"{gate}, replication {replication}: {a:F3} h to cross {change}, {b:F3} h without");
            sumBefore += b;
            sumAfter += a;
        }

        Assert.True(sumAfter <= sumBefore, $"{gate}: {sumAfter / 3:F3} h to cross {change} over 3 replications, {sumBefore / 3:F3} h without");
    }
}
