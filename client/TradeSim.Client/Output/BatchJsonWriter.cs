using System.Text.Json;
using TradeSim.Grains.Batches;
using TradeSim.Client.Batches;
using TradeSim.Client.Statistics;

namespace TradeSim.Client.Output;

/// <summary>
/// A batch comparison as JSON: `{"batch", "replications", ..., "scenarios": [{"name", "kpis": {KPI: {"mean", "sd",
/// "ci_low", "ci_high", "n"}}, "vs_baseline": {KPI: {"mean_diff", "ci_low", "ci_high", "percent", "significant", "n"}}, "appraisal" (what-ifs with `appraisal:` only)}]}`.
/// Nothing inside `scenarios` depends on timing, so two batches with the same inputs give equal `scenarios`.
/// Numbers that are undefined (a percent change of a KPI whose baseline mean is 0) are null.
/// </summary>
internal static class BatchJsonWriter
{
    public static void Write(Stream stream, IReadOnlyList<BatchComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        if (comparisons.Count == 1)
        {
            WriteBatch(w, comparisons[0]);
        }
        else
        {
            w.WriteStartArray();
            foreach (var c in comparisons)
            {
                WriteBatch(w, c);
            }

            w.WriteEndArray();
        }

        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteBatch(Utf8JsonWriter w, BatchComparison c)
    {
        var spec = c.Batch.Spec;
        w.WriteStartObject();
        w.WriteNumber("batch", c.Batch.Id);
        if (c.SourceBatches.Count > 1)
        {
            w.WriteStartArray("batches");
            foreach (var id in c.SourceBatches)
            {
                w.WriteNumberValue(id);
            }

            w.WriteEndArray();
        }

        w.WriteNumber("replications", c.Replications);
        w.WriteNumber("seed", spec.Seed);
        w.WriteString("baseline", c.Baseline.Name);
        w.WriteString("status", c.Batch.Status);
        w.WriteString("engine_version", c.Batch.EngineVersion);
        if (spec.Policy.Precision is { } precision)
        {
            w.WriteStartObject("precision");
            w.WriteNumber("target", precision);
            w.WriteNumber("absolute_tolerance", spec.Policy.AbsoluteTolerance);
            w.WriteStartArray("kpi_patterns");
            foreach (var pattern in spec.Policy.PrecisionKpis)
            {
                w.WriteStringValue(pattern);
            }

            w.WriteEndArray();
            w.WriteNumber("max_replications", spec.Policy.MaxReplications);
            w.WriteBoolean("reached", c.PrecisionReached);
            w.WriteNumber("material_trucks", PrecisionRule.MaterialTrucks);
            w.WriteNumber("judged_kpis", c.JudgedKpis);
            w.WriteStartArray("unconverged");
            foreach (var u in c.Unconverged)
            {
                w.WriteStartObject();
                w.WriteString("scenario", spec.Scenarios[u.Position].Name);
                w.WriteString("kpi", u.Kpi);
                w.WriteNumber("mean", u.Spread.Mean);
                w.WriteNumber("half_width", u.Spread.HalfWidth);
                w.WriteNumber("target_half_width", Math.Max(precision * Math.Abs(u.Spread.Mean), spec.Policy.AbsoluteTolerance));
                w.WriteNumber("n", u.Spread.N);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteNumber("unconserved_runs", c.UnconservedRuns);
        w.WriteStartArray("failed_runs");
        foreach (var f in c.FailedRuns)
        {
            w.WriteStartObject();
            w.WriteString("scenario", spec.Scenarios[f.Position].Name);
            w.WriteNumber("replication", f.Replication);
            w.WriteNumber("attempts", f.Attempts);
            w.WriteString("error", f.Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("scenarios");
        foreach (var s in c.Scenarios)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("hash", s.Scenario.Hash);
            w.WriteBoolean("baseline", s.IsBaseline);
            w.WriteNumber("replications", s.Replications);
            w.WriteStartObject("kpis");
            foreach (var k in s.Kpis)
            {
                w.WriteStartObject(k.Kpi);
                Number(w, "mean", k.Stats.Mean);
                Number(w, "sd", k.Stats.StandardDeviation);
                Number(w, "ci_low", k.Stats.CiLow);
                Number(w, "ci_high", k.Stats.CiHigh);
                w.WriteNumber("n", k.Stats.N);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            if (!s.IsBaseline)
            {
                w.WriteStartObject("vs_baseline");
                foreach (var k in s.VsBaseline)
                {
                    WriteDifference(w, k.Kpi, k.Paired);
                }

                w.WriteEndObject();
            }

            if (s.Trade is { } trade)
            {
                w.WriteStartObject("trade");
                w.WriteString("definition", "tonnes a year against the baseline, per paired replication: created = change in tonnes delivered; diverted = per flow, the smaller of its gates' gains and losses; elastic_created = the part of created the trade response sets");
                WriteSummary(w, "created_t_per_year", trade.CreatedTonnesPerYear);
                WriteSummary(w, "diverted_t_per_year", trade.DivertedTonnesPerYear);
                WriteSummary(w, "elastic_created_t_per_year", trade.ElasticCreatedTonnesPerYear);
                w.WriteEndObject();
            }

            if (s.Appraisal is { } appraisal)
            {
                WriteAppraisal(w, appraisal);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>`"appraisal": {"capital_usd", "operating_usd_per_year", "discount_rate", "horizon_years", "source", "pv_costs_usd", "benefit_usd_per_year": {mean, sd, ci_low, ci_high, n}, ...}`.</summary>
    private static void WriteAppraisal(Utf8JsonWriter w, AppraisalOutcome a)
    {
        w.WriteStartObject("appraisal");
        w.WriteNumber("capital_usd", a.Terms.CapitalUsd);
        w.WriteNumber("operating_usd_per_year", a.Terms.OperatingUsdPerYear);
        w.WriteNumber("discount_rate", a.Terms.DiscountRate);
        w.WriteNumber("horizon_years", a.Terms.HorizonYears);
        w.WriteString("source", a.Terms.Source);
        w.WriteString("benefit", "logistics cost saving a year by the rule of a half: (baseline cost per tonne - scenario cost per tonne) x (baseline + scenario tonnes a year) / 2, per paired replication");
        Number(w, "pv_costs_usd", a.PresentValueOfCosts);
        WriteSummary(w, "benefit_usd_per_year", a.BenefitUsdPerYear);
        WriteSummary(w, "border_truck_hours_saved_per_year", a.BorderHoursSavedPerYear);
        WriteSummary(w, "pv_benefits_usd", a.PresentValueOfBenefits);
        WriteSummary(w, "npv_usd", a.NetPresentValue);
        WriteSummary(w, "benefit_cost_ratio", a.BenefitCostRatio);
        w.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter w, string name, Summary stats)
    {
        w.WriteStartObject(name);
        Number(w, "mean", stats.Mean);
        Number(w, "sd", stats.StandardDeviation);
        Number(w, "ci_low", stats.CiLow);
        Number(w, "ci_high", stats.CiHigh);
        w.WriteNumber("n", stats.N);
        w.WriteEndObject();
    }

    private static void WriteDifference(Utf8JsonWriter w, string kpi, Difference d)
    {
        w.WriteStartObject(kpi);
        Number(w, "mean_diff", d.MeanDifference);
        Number(w, "ci_low", d.CiLow);
        Number(w, "ci_high", d.CiHigh);
        Number(w, "percent", d.Percent);
        w.WriteBoolean("significant", d.IsSignificant);
        w.WriteNumber("n", d.N);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
