using System.Globalization;
using System.Text.Json;
using TradeSim.Client.Batches;
using TradeSim.Client.Output;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>
/// Appraisal of a what-if against the baseline (issue 13, item 6): the NPV and benefit-cost ratio against a hand
/// computation, a batch's appraisal against the one recomputed from its own exported per-replication KPIs, and bad
/// `appraisal:` input refused at its line.
/// </summary>
public sealed class AppraisalTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    // t(0.975, 3): the two-sided 95% Student-t quantile for 4 replications (as in StatisticsTests, computed outside this code base).
    private const double T975Df3 = 3.18244630528370959;

    [Fact]
    public void NpvAndBenefitCostRatio_MatchAHandComputation()
    {
        // Capital 1,000 USD in year 0, operating 100 USD and benefits 600 USD at the end of years 1 to 3, at 10%:
        // the discount factors are 1/1.1 = 0.90909090909, 1/1.21 = 0.82644628099 and 1/1.331 = 0.75131480090, which
        // add to 2.48685199098. PV(benefits) = 600 x 2.48685199098 = 1,492.111194588; PV(costs) = 1,000 + 100 x
        // 2.48685199098 = 1,248.685199098; NPV = 1,492.111194588 - 1,248.685199098 = 243.425995490 (= -1,000 + 500 x
        // 2.48685199098); BCR = 1,492.111194588 / 1,248.685199098 = 1.194945848.
        var terms = new AppraisalDefinition(1000, 100, 0.10, 3, "test");

        Assert.Equal(2.48685199098, Appraisal.AnnuityFactor(0.10, 3), 9);
        Assert.Equal(1492.111194588, Appraisal.PresentValueOfBenefits(terms, 600), 6);
        Assert.Equal(1248.685199098, Appraisal.PresentValueOfCosts(terms), 6);
        Assert.Equal(243.425995490, Appraisal.NetPresentValue(terms, 600), 6);
        Assert.Equal(1.194945848, Appraisal.BenefitCostRatio(terms, 600), 9);

        // At a 0% rate nothing is discounted: NPV = -1,000 + 3 x (600 - 100) = 500; BCR = 1,800 / 1,300 = 1.384615385.
        var undiscounted = terms with { DiscountRate = 0 };
        Assert.Equal(500, Appraisal.NetPresentValue(undiscounted, 600), 9);
        Assert.Equal(1.384615385, Appraisal.BenefitCostRatio(undiscounted, 600), 9);
    }

    [Fact]
    public void Benefit_IsTheCostPerTonneSavedTimesTheMeanTonnes_AYearOfTheWindow()
    {
        // A 73-day window is a fifth of a year. Baseline: 3,000 USD for 10 t (300 USD/t, 50 t a year); what-if:
        // 2,640 USD for 11 t (240 USD/t, 55 t a year). Rule of a half: (300 - 240) x (50 + 55) / 2 = 3,150 USD a year.
        var baseline = new Dictionary<string, double> { ["total.logistics_cost_usd"] = 3000, ["total.tonnes_delivered"] = 10 };
        var whatIf = new Dictionary<string, double> { ["total.logistics_cost_usd"] = 2640, ["total.tonnes_delivered"] = 11 };
        Assert.Equal(3150, Appraisal.BenefitUsdPerYear(baseline, 73, whatIf, 73), 9);

        // With the same tonnes it is the fall in the annual logistics cost: (3,000 - 2,400) x 5 = 3,000 USD a year.
        whatIf = new Dictionary<string, double> { ["total.logistics_cost_usd"] = 2400, ["total.tonnes_delivered"] = 10 };
        Assert.Equal(3000, Appraisal.BenefitUsdPerYear(baseline, 73, whatIf, 73), 9);

        // Border hours: 10 trucks x 2 h at one gate and 4 x 5 h at another are 40 truck-hours, 200 a year.
        var gates = new Dictionary<string, double>
        {
            ["gate.a.trucks"] = 10, ["gate.a.hours_to_cross_mean"] = 2, ["gate.b.trucks"] = 4, ["gate.b.hours_to_cross_mean"] = 5, ["post.a.vn.served"] = 99,
        };
        Assert.Equal(200, Appraisal.BorderHoursPerYear(gates, 73), 9);
    }

    [Fact]
    public void Batch_ReportsTheNpvAndRatio_OfItsOwnExportedReplications()
    {
        var whatIf = temp.WriteFile("appraised.yaml", $$"""
            name: appraised
            extends: {{Scenarios.BaselinePath}}
            gates: { nam-giang: { vn: { lanes: 4 } } }
            appraisal: { capital_usd: 250000, operating_usd_per_year: 20000, discount_rate: 0.08, horizon_years: 15, source: "test" }
            """);
        var db = Path.Combine(temp.NewDirectory("appraisal-db"), "r.db");
        string[] batch = ["batch", "baseline", whatIf, "--replications", "4", "--set", "settings.days=20", "--set", "settings.warmup_days=2", "--db", db];

        var json = Cli.Run([.. batch, "--json"]);
        var report = Path.Combine(Path.GetDirectoryName(db)!, "report.html");
        var text = Cli.Run("compare", "1", "--db", db, "--report", report);
        var export = Cli.Run("export", "1", "--db", db, "--format", "csv");

        Assert.True(json.ExitCode == 0, json.Describe());
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.True(export.ExitCode == 0, export.Describe());

        // The per-replication KPIs as exported: (scenario, replication) -> kpi -> value.
        var runs = new Dictionary<(string Scenario, int Replication), Dictionary<string, double>>();
        foreach (var line in export.Json.TrimEnd('\n').Split('\n').Skip(1))
        {
            var cells = line.Split(',');
            if (cells[8].Length == 0)
            {
                continue;
            }

            var key = (cells[1], int.Parse(cells[2], CultureInfo.InvariantCulture));
            if (!runs.TryGetValue(key, out var kpis))
            {
                runs[key] = kpis = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            kpis[cells[4]] = double.Parse(cells[8], CultureInfo.InvariantCulture);
        }

        // The appraisal worked out here from those KPIs alone: each replication's benefit by the rule of a half over
        // a 20-day window, its NPV and ratio at 8% over 15 years, then the mean and the 95% Student-t interval.
        var annuity = Enumerable.Range(1, 15).Sum(t => 1 / Math.Pow(1.08, t));
        var costs = 250000 + (20000 * annuity);
        var npv = new List<double>();
        var ratio = new List<double>();
        var hours = new List<double>();
        for (var r = 0; r < 4; r++)
        {
            var b = runs[("baseline", r)];
            var s = runs[("appraised", r)];
            var baseCostPerTonne = b["total.logistics_cost_usd"] / b["total.tonnes_delivered"];
            var costPerTonne = s["total.logistics_cost_usd"] / s["total.tonnes_delivered"];
            var benefit = 0.5 * (baseCostPerTonne - costPerTonne) * (b["total.tonnes_delivered"] + s["total.tonnes_delivered"]) * 365 / 20;
            npv.Add((benefit * annuity) - costs);
            ratio.Add(benefit * annuity / costs);
            hours.Add((BorderHours(b) - BorderHours(s)) * 365 / 20);
        }

        using var doc = JsonDocument.Parse(json.Json);
        var scenario = doc.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "appraised");
        var appraisal = scenario.GetProperty("appraisal");
        Assert.Equal(0.08, appraisal.GetProperty("discount_rate").GetDouble());
        Assert.Equal(15, appraisal.GetProperty("horizon_years").GetInt32());
        AssertClose(costs, appraisal.GetProperty("pv_costs_usd").GetDouble());
        AssertSummary(npv, appraisal.GetProperty("npv_usd"));
        AssertSummary(ratio, appraisal.GetProperty("benefit_cost_ratio"));
        AssertSummary(hours, appraisal.GetProperty("border_truck_hours_saved_per_year"));
        Assert.False(doc.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "baseline").TryGetProperty("appraisal", out _));

        // The text report states the terms and shows the same NPV.
        Assert.Contains("appraisal vs baseline at a 8% discount rate over 15 years", text.Stdout, StringComparison.Ordinal);
        var npvLine = Assert.Single(text.StdoutLines, l => l.Contains(" npv_usd ", StringComparison.Ordinal));
        // In the text's own number format: near zero (the Lao post, not the Vietnamese lanes, is Nam Giang's
        // bottleneck since the travellers' cars share it) an NPV has a decimal.
        Assert.Contains(BatchTextWriter.Number(npv.Average()), npvLine, StringComparison.Ordinal);

        // So does the HTML report, with the ratio to two decimals (positive here: the extra lane saves more than it costs).
        var html = File.ReadAllText(report);
        Assert.Contains("at a 8% discount rate over 15 years", html, StringComparison.Ordinal);
        Assert.Contains($"<td>benefit-cost ratio</td><td class=\"num\">{Math.Round(ratio.Average(), 2, MidpointRounding.AwayFromZero).ToString("N2", CultureInfo.InvariantCulture)}</td>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("appraisal: { capital_usd: -5, discount_rate: 0.1 }", "capital_usd is -5: expected a number from 0")]
    [InlineData("appraisal: { capital_usd: 100, discount_rate: 1.5 }", "discount_rate is 1.5: expected a number from 0 to 1")]
    [InlineData("appraisal: { capital_usd: 100, horizon_years: 0 }", "horizon_years is 0: expected a whole number from 1 to 200")]
    [InlineData("appraisal: { discount_rate: 0.1 }", "appraisal: missing `capital_usd:` and `operating_usd_per_year:`")]
    [InlineData("appraisal: { capital_usd: 0, operating_usd_per_year: 0 }", "capital_usd and operating_usd_per_year are both 0")]
    [InlineData("appraisal: { capital_usd: 100, rate: 0.1 }", "appraisal: unknown key 'rate'")]
    [InlineData("appraisal: 5000000", "appraisal: expected a mapping")]
    public void BadAppraisal_IsRefusedAtItsLine(string section, string fragment)
    {
        var path = temp.WriteFile("bad-appraisal.yaml", $$"""
            name: bad-appraisal
            extends: {{Scenarios.BaselinePath}}
            {{section}}
            """);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "bad-appraisal.yaml", 3, fragment);
        Assert.True(error.Column > 1, result.Describe());
        Assert.Single(result.StderrLines);
    }

    private static double BorderHours(Dictionary<string, double> kpis) =>
        kpis.Where(k => k.Key.StartsWith("gate.", StringComparison.Ordinal) && k.Key.EndsWith(".trucks", StringComparison.Ordinal))
            .Sum(k => k.Value * kpis.GetValueOrDefault(k.Key[..^".trucks".Length] + ".hours_to_cross_mean"));

    private static void AssertSummary(List<double> values, JsonElement reported)
    {
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        var half = T975Df3 * sd / Math.Sqrt(values.Count);
        Assert.Equal(values.Count, reported.GetProperty("n").GetInt32());
        AssertClose(mean, reported.GetProperty("mean").GetDouble());
        AssertClose(mean - half, reported.GetProperty("ci_low").GetDouble());
        AssertClose(mean + half, reported.GetProperty("ci_high").GetDouble());
        Assert.True(half > 0, "the replications differ, so the interval has a width");
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");
}
