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
        foreach (var row in report.Rows)
        {
            var s = row.Modelled;
            // A target observed over a period of its own says so; the others are the heading's.
            var own = row.Period.From != p.From || row.Period.To != p.To ? string.Create(CultureInfo.InvariantCulture, $"  ({row.Period.From:yyyy-MM-dd} to {row.Period.To:yyyy-MM-dd})") : string.Empty;
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Target.Id,-26} observed {row.Target.Observed,12:G6}  modeled {s.Mean,12:G6}  95% CI [{s.CiLow:G6}, {s.CiHigh:G6}]  error {row.RelativeError,7:P2}  {Verdict(report, row)}{own}"));
        }
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
