using System.Globalization;
using System.Text.Json;
using TradeSim.Client.Sensitivity;

namespace TradeSim.Client.Output;

/// <summary>A sensitivity analysis as text, JSON and CSV. Nothing here depends on timing: the same batch gives the same bytes.</summary>
internal static class SensitivityWriter
{
    public static string IntervalMethod =>
        string.Create(CultureInfo.InvariantCulture, $"95% percentile bootstrap over trajectories ({SensitivityAnalysis.BootstrapResamples:N0} resamples, seeded by --seed)");

    /// <summary>What the response of a KPI is: the KPI, or the paired effect of the scenario against the compared one.</summary>
    public static string Response(SensitivityPlan plan, string kpi)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.VersusName is null ? $"{kpi} of {plan.ScenarioName}" : $"effect of {plan.ScenarioName} vs {plan.VersusName} on {kpi} (paired difference)";
    }

    /// <summary>The design and its cost, printed before anything runs (and all that `--dry-run` prints).</summary>
    public static void WriteDesign(TextWriter o, SensitivityPlan plan, bool listPoints)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(plan);
        var r = plan.Request;
        var design = plan.Design;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Morris design: {plan.Inputs.Count} inputs, r = {design.Trajectories.Count} trajectories, p = {design.GridLevels} levels, delta = {design.Jump}/{design.GridLevels - 1} of each range, seed {r.Seed}"));
        TextTable.Write(
            o,
            ["input", "file", "value", "low", "high", "kind"],
            plan.Inputs.Select(i => new[] { i.Path, i.File, SensitivityInput.Format(i.Value), SensitivityInput.Format(i.Low), SensitivityInput.Format(i.High), i.Whole ? "whole" : "number" }),
            textColumns: 2);
        foreach (var note in plan.Notes)
        {
            o.WriteLine($"note: {note}");
        }

        if (listPoints)
        {
            o.WriteLine("design points (one row per point; each trajectory changes one input per step):");
            TextTable.Write(
                o,
                ["point", .. plan.Inputs.Select((_, j) => $"x{j + 1}")],
                plan.Points.Select(p => new[] { string.Create(CultureInfo.InvariantCulture, $"t{p.Trajectory}.{p.Step}") }.Concat(p.Values).ToArray()),
                textColumns: 1);
        }

        o.WriteLine(Cost(plan));
    }

    /// <summary>The cost line: design points x scenarios x replications = runs.</summary>
    public static string Cost(SensitivityPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var scenarios = plan.VersusName is null ? "1 scenario" : "2 scenarios";
        return string.Create(CultureInfo.InvariantCulture, $"cost: {plan.Points.Count} design points x {scenarios} x {plan.Request.Replications} replications = {plan.Runs} runs");
    }

    public static void WriteText(TextWriter o, SensitivityResult result)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sensitivity, batch {result.Batch.Id} ({result.Batch.Status}): {plan.Inputs.Count} inputs, r = {plan.Design.Trajectories.Count}, p = {plan.Design.GridLevels}, {result.Replications} replications per design point, seed {result.Batch.Spec.Seed}, engine {result.Batch.EngineVersion}"));
        o.WriteLine("Every design point runs the same seeds (common random numbers), so elementary effects are paired differences.");
        o.WriteLine($"Effects are per range: the KPI's change for moving the input from its low to its high value. mu* = mean |effect| (ranked), mu = mean effect (its sign is the direction), sigma = their standard deviation; mu* intervals: {IntervalMethod}.");
        foreach (var note in plan.Notes)
        {
            o.WriteLine($"note: {note}");
        }

        foreach (var kpi in result.Kpis)
        {
            o.WriteLine();
            o.WriteLine(Response(plan, kpi.Kpi));
            TextTable.Write(
                o,
                ["rank", "input", "range", "mu*", "95% CI of mu*", "mu", "sigma", "n"],
                kpi.Ranked.Select(e => new[]
                {
                    e.Rank.ToString(CultureInfo.InvariantCulture),
                    e.Input.Path,
                    $"{SensitivityInput.Format(e.Input.Low)}..{SensitivityInput.Format(e.Input.High)}",
                    Number(e.MuStar),
                    double.IsFinite(e.MuStarLow) ? $"[{Number(e.MuStarLow)}, {Number(e.MuStarHigh)}]" : "n/a",
                    Number(e.Mu),
                    Number(e.Sigma),
                    e.Effects.ToString(CultureInfo.InvariantCulture),
                }),
                textColumns: 2);
        }
    }

    public static void WriteJson(Stream stream, SensitivityResult result)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(result);
        var plan = result.Plan;
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("batch", result.Batch.Id);
            w.WriteString("status", result.Batch.Status);
            w.WriteString("engine_version", result.Batch.EngineVersion);
            w.WriteString("scenario", plan.ScenarioName);
            if (plan.VersusName is { } versus)
            {
                w.WriteString("versus", versus);
            }
            else
            {
                w.WriteNull("versus");
            }

            w.WriteNumber("seed", result.Batch.Spec.Seed);
            w.WriteNumber("trajectories", plan.Design.Trajectories.Count);
            w.WriteNumber("levels", plan.Design.GridLevels);
            w.WriteNumber("delta", plan.Design.Delta);
            w.WriteNumber("range", plan.Request.Range);
            w.WriteNumber("replications", result.Replications);
            w.WriteNumber("design_points", plan.Points.Count);
            w.WriteNumber("runs", plan.Runs);
            w.WriteString("interval", IntervalMethod);
            w.WriteStartArray("notes");
            foreach (var note in plan.Notes)
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteStartArray("inputs");
            foreach (var i in plan.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("input", i.Path);
                w.WriteString("file", i.File);
                w.WriteNumber("value", i.Value);
                w.WriteNumber("low", i.Low);
                w.WriteNumber("high", i.High);
                w.WriteBoolean("whole", i.Whole);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("kpis");
            foreach (var kpi in result.Kpis)
            {
                w.WriteStartObject();
                w.WriteString("kpi", kpi.Kpi);
                w.WriteString("response", Response(plan, kpi.Kpi));
                w.WriteStartArray("effects");
                foreach (var e in kpi.Ranked)
                {
                    w.WriteStartObject();
                    w.WriteNumber("rank", e.Rank);
                    w.WriteString("input", e.Input.Path);
                    Number(w, "mu_star", e.MuStar);
                    Number(w, "mu_star_ci_low", e.MuStarLow);
                    Number(w, "mu_star_ci_high", e.MuStarHigh);
                    Number(w, "mu", e.Mu);
                    Number(w, "sigma", e.Sigma);
                    w.WriteNumber("n", e.Effects);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    public static void WriteCsv(TextWriter csv, SensitivityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Csv.Row(csv, "kpi", "rank", "input", "file", "value", "low", "high", "mu_star", "mu_star_ci_low", "mu_star_ci_high", "mu", "sigma", "n");
        foreach (var kpi in result.Kpis)
        {
            foreach (var e in kpi.Ranked)
            {
                Csv.Row(csv, kpi.Kpi, e.Rank, e.Input.Path, e.Input.File, e.Input.Value, e.Input.Low, e.Input.High, e.MuStar, e.MuStarLow, e.MuStarHigh, e.Mu, e.Sigma, e.Effects);
            }
        }
    }

    /// <summary>Four significant figures, thousands separated from 1,000 up; n/a for no value.</summary>
    public static string Number(double value) =>
        !double.IsFinite(value) ? "n/a"
        : value == 0 ? "0"
        : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

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
