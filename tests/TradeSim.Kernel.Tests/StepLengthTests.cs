using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Results do not depend on the step length (issue 12, item 4): provinces release truckloads in continuous time inside
/// a step (each ready at the end of the quarter hour it completes in), so for every step the validator accepts the
/// headline KPIs of the baseline agree with those of 15-minute steps within their 95% intervals; longer steps, which
/// do not agree, are refused by the validator.
/// </summary>
public class StepLengthTests
{
    private const int Replications = 8;

    [Theory]
    [InlineData(30)]
    [InlineData(60)]
    public void HeadlineKpis_AgreeWithFifteenMinuteSteps_WithinTheir95PercentIntervals(int stepMinutes)
    {
        var fine = Headline(15);
        var coarse = Headline(stepMinutes);

        Assert.True(fine.Count >= 10, $"only {fine.Count} headline KPIs");
        foreach (var (kpi, a) in fine)
        {
            var b = coarse[kpi];
            Assert.True(
                Math.Abs(a.Mean - b.Mean) <= a.HalfWidth + b.HalfWidth,
                $"{kpi}: 15-minute steps {a.Mean:G5} ± {a.HalfWidth:G3}, {stepMinutes}-minute steps {b.Mean:G5} ± {b.HalfWidth:G3}");
        }
    }

    [Theory]
    [InlineData(240)]
    [InlineData(1440)]
    public void LongerSteps_AreRefusedByTheValidator(int stepMinutes)
    {
        var result = ScenarioParser.Parse([new ScenarioSource("baseline.yaml", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml"))), new ScenarioSource("step.yaml", $"settings:\n  step_minutes: {stepMinutes}\n")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal("step.yaml", error.Location.Source);
        Assert.Contains($"step_minutes {stepMinutes} is too long: expected at most 60", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Mean and 95% half-width of each headline KPI of a gate or corridor with material traffic, and the totals.</summary>
    private static Dictionary<string, (double Mean, double HalfWidth)> Headline(int stepMinutes)
    {
        var definition = BaselineRuns.BaselineDefinition;
        definition = definition with { Settings = definition.Settings with { StepMinutes = stepMinutes } };
        var runs = Enumerable.Range(0, Replications)
            .Select(r => KpiCatalogue.Extract(BaselineRuns.Run(definition, seed: 3, replication: r)).ToDictionary(k => k.Name, k => k.Value, StringComparer.Ordinal))
            .ToList();
        var t = 2.365; // Student t, 7 degrees of freedom, 95%
        return runs[0].Keys
            .Where(k => KpiCatalogue.IsHeadline(k) && (KpiCatalogue.TrafficKpiOf(k) is not { } traffic || runs[0][traffic] >= 100))
            .ToDictionary(
                k => k,
                k =>
                {
                    var values = runs.Select(r => r[k]).ToList();
                    var mean = values.Average();
                    var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
                    return (mean, t * sd / Math.Sqrt(values.Count));
                },
                StringComparer.Ordinal);
    }
}
