using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Metamorphic tests of route choice on the baseline, paired replications (same seeds): raising a gate's fee never
/// raises its traffic, and with logit route choice traffic leaves the gate gradually as the fee rises, where
/// all-or-nothing choice (no dispersion) drops it in one step.
/// </summary>
public class RouteChoiceTests
{
    private const int Days = 90;

    private static long NamGiangTrucks(double feeUsd, double dispersionUsd, int replication)
    {
        var definition = BaselineRuns.WithGate(BaselineRuns.BaselineDefinition, "nam-giang", g => g with { FeeUsd = feeUsd });
        definition = definition with { Settings = definition.Settings with { RouteDispersionUsd = dispersionUsd, Days = Days } };
        return BaselineRuns.Gate(BaselineRuns.Run(definition, seed: 1, replication), "nam-giang").Trucks;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(150.0)]
    public void Traffic_NamGiangFeeRaised_NeverRises(double dispersionUsd)
    {
        double[] fees = [15, 200, 400, 600, 800, 1000];
        for (var replication = 0; replication < 2; replication++)
        {
            var trucks = fees.Select(f => NamGiangTrucks(f, dispersionUsd, replication)).ToArray();
            for (var i = 1; i < fees.Length; i++)
            {
                Assert.True(
                    trucks[i] <= trucks[i - 1],
                    $"dispersion {dispersionUsd} USD, replication {replication}: nam-giang took {trucks[i]} trucks at a {fees[i]} USD fee, more than {trucks[i - 1]} at {fees[i - 1]} USD");
            }

            Assert.True(trucks[^1] < trucks[0] / 2, $"a 1,000 USD fee kept {trucks[^1]} of {trucks[0]} trucks at nam-giang");
        }
    }

    [Fact]
    public void Traffic_FeeRaisedIn100UsdSteps_LogitShiftsGraduallyWhereAllOrNothingSwitches()
    {
        var fees = Enumerable.Range(1, 10).Select(i => i * 100.0).ToArray();
        double LargestStep(double dispersionUsd)
        {
            var trucks = fees.Select(f => (double)NamGiangTrucks(f, dispersionUsd, replication: 0)).ToArray();
            var largest = Enumerable.Range(1, fees.Length - 1).Max(i => trucks[i - 1] - trucks[i]);
            return largest / trucks[0];
        }

        var allOrNothing = LargestStep(0);
        var logit = LargestStep(150);

        // Measured: all-or-nothing loses 45% of the gate's traffic in one 100 USD step (600 to 700 USD); logit at
        // most 15%.
        Assert.True(allOrNothing > 0.3, $"all-or-nothing choice lost at most {allOrNothing:P0} of nam-giang's trucks in one 100 USD step");
        Assert.True(logit < allOrNothing / 2, $"logit choice lost up to {logit:P0} in one step, all-or-nothing {allOrNothing:P0}");
    }
}
