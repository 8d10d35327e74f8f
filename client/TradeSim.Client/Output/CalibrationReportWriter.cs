using System.Globalization;
using System.Text.Json;
using TradeSim.Client.Calibration;

namespace TradeSim.Client.Output;

/// <summary>Writes a calibration report as a short table or as JSON.</summary>
internal static class CalibrationReportWriter
{
    public static void WriteText(TextWriter o, CalibrationReport report)
    {
        var p = report.Period;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Calibration of {report.Scenario}, {p.From:yyyy-MM-dd} to {p.To:yyyy-MM-dd}, {BatchTextWriter.Count(report.Replications, "replication")} (seed {report.Seed}), tolerance {Percent(report.Tolerance)}"));
        if (report.Fit is { } fit)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Fitted {BatchTextWriter.Count(fit.Parameters.Count, "parameter")} to {BatchTextWriter.Count(fit.FittedTargets, "target")} ({fit.Evaluations} evaluations, {fit.Runs} runs; {fit.Stopped}):"));
            foreach (var fp in fit.Parameters)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {fp.Definition.Path,-58} file {fp.FileValue,12:G7}  fitted {fp.Fitted,12:G7}  ({fp.Change:+0.00%;-0.00%;0.00%})  bounds [{fp.Definition.Min:G7}, {fp.Definition.Max:G7}]"));
            }

            if (fit.ExactlyIdentified)
            {
                o.WriteLine("  As many parameters as fitted targets: the fitted targets are met by construction and test nothing; the held-out ones test the model.");
            }
        }

        WriteRows(o, report, report.Rows.Where(r => !r.Target.HeldOut).ToList(), report.Fit is null ? "Targets" : "Fitted targets");
        WriteRows(o, report, report.Rows.Where(r => r.Target.HeldOut).ToList(), "Held-out targets (predictions: no input was set from them)");
    }

    private static void WriteRows(TextWriter o, CalibrationReport report, IReadOnlyList<CalibrationRow> rows, string heading)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var p = report.Period;
        o.WriteLine($"{heading}:");
        foreach (var row in rows)
        {
            var s = row.Modelled;
            // A target observed over a period of its own says so; the others are the heading's.
            var own = row.Period.From != p.From || row.Period.To != p.To ? string.Create(CultureInfo.InvariantCulture, $"  ({row.Period.From:yyyy-MM-dd} to {row.Period.To:yyyy-MM-dd})") : string.Empty;
            var (low, high) = Calibrator.PredictionInterval(s);
            var interval = row.Target.HeldOut
                ? string.Create(CultureInfo.InvariantCulture, $"  95% prediction [{low:G6}, {high:G6}]: observed {(InInterval(row) ? "inside" : "outside")}")
                : string.Create(CultureInfo.InvariantCulture, $"  95% CI [{s.CiLow:G6}, {s.CiHigh:G6}]");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Target.Id,-30} observed {row.Target.Observed,12:G6}  modeled {s.Mean,12:G6}{interval}  error {row.RelativeError,7:P2}  {Verdict(report, row)}{own}"));
        }
    }

    /// <summary>Whether the observation lies in the 95% prediction interval of one replication.</summary>
    private static bool InInterval(CalibrationRow row)
    {
        var (low, high) = Calibrator.PredictionInterval(row.Modelled);
        return row.Target.Observed >= low && row.Target.Observed <= high;
    }

    /// <summary>A held-out target is a prediction, not a check: its error is shown, not judged.</summary>
    private static string Verdict(CalibrationReport report, CalibrationRow row) =>
        row.Target.HeldOut ? "held out" : report.IsWithinTolerance(row) ? "ok" : "MISS";

    /// <summary>A tolerance as a percentage with the digits it was given (0.001 is "0.1 %", never "0 %").</summary>
    private static string Percent(double fraction) => (fraction * 100).ToString("0.####", CultureInfo.InvariantCulture) + " %";

    public static void WriteJson(Stream stream, CalibrationReport report)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("scenario", report.Scenario);
        w.WriteString("from", report.Period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteString("to", report.Period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteNumber("seed", report.Seed);
        w.WriteNumber("replications", report.Replications);
        w.WriteNumber("tolerance", report.Tolerance);
        w.WriteBoolean("all_within_tolerance", report.AllWithinTolerance);
        if (report.Fit is { } fit)
        {
            w.WriteStartObject("fit");
            w.WriteNumber("parameters_fitted", fit.Parameters.Count);
            w.WriteNumber("targets_fitted", fit.FittedTargets);
            w.WriteBoolean("exactly_identified", fit.ExactlyIdentified);
            w.WriteNumber("evaluations", fit.Evaluations);
            w.WriteNumber("runs", fit.Runs);
            w.WriteString("stopped", fit.Stopped);
            w.WriteStartArray("parameters");
            foreach (var fp in fit.Parameters)
            {
                w.WriteStartObject();
                w.WriteString("path", fp.Definition.Path);
                w.WriteNumber("file_value", fp.FileValue);
                w.WriteNumber("fitted", fp.Fitted);
                w.WriteNumber("min", fp.Definition.Min);
                w.WriteNumber("max", fp.Definition.Max);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteStartArray("targets");
        foreach (var row in report.Rows)
        {
            var t = row.Target;
            var s = row.Modelled;
            w.WriteStartObject();
            w.WriteString("name", t.Id);
            w.WriteString("description", t.Description);
            w.WriteString("from", row.Period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("to", row.Period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("observed", t.Observed);
            w.WriteNumber("modeled_mean", s.Mean);
            w.WriteNumber("modeled_sd", s.StandardDeviation);
            w.WriteNumber("ci_low", s.CiLow);
            w.WriteNumber("ci_high", s.CiHigh);
            w.WriteNumber("relative_error", row.RelativeError);
            w.WriteBoolean("within_tolerance", report.IsWithinTolerance(row));
            w.WriteBoolean("held_out", t.HeldOut);
            var (low, high) = Calibrator.PredictionInterval(s);
            if (double.IsFinite(low))
            {
                w.WriteNumber("prediction_low", low);
                w.WriteNumber("prediction_high", high);
                w.WriteBoolean("observed_in_prediction_interval", InInterval(row));
            }

            w.WriteString("source", t.Source);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }
}
