using TradeSim.Client.Commands;
using System.Text.Json;

namespace TradeSim.Client.Tests;

/// <summary>
/// `--precision` says which KPIs hold it back (issue 11, item 2): a batch that stops at its maximum names each headline
/// KPI still too wide with its half-width and target, in text and JSON, so the user knows what to relax.
/// </summary>
public sealed class PrecisionOutputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-precision-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void PrecisionNotReached_NamesTheKpisStillTooWide()
    {
        string[] batch = ["batch", "baseline", "--precision", "0.0001", "--max-replications", "6", "--set", "settings.days=20", "--set", "settings.warmup_days=0"];

        var text = Cli.Run([.. batch, "--db", Path.Combine(_folder, "text.db")]);
        var json = Cli.Run([.. batch, "--db", Path.Combine(_folder, "json.db"), "--json"]);

        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Contains("NOT reached within 6 replications", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("  baseline total.trade_value_usd: mean ", text.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.Describe());
        using var document = JsonDocument.Parse(json.Json);
        var precision = document.RootElement.GetProperty("precision");
        Assert.False(precision.GetProperty("reached").GetBoolean());
        var unconverged = precision.GetProperty("unconverged").EnumerateArray().ToList();
        Assert.Contains(unconverged, u => u.GetProperty("kpi").GetString() == "total.trade_value_usd");
        Assert.All(unconverged, u => Assert.True(u.GetProperty("half_width").GetDouble() > u.GetProperty("target_half_width").GetDouble()));
        Assert.Equal(unconverged.Count, text.Stdout.Split('\n').Count(l => l.StartsWith("  baseline ", StringComparison.Ordinal) && l.Contains("half-width", StringComparison.Ordinal)));
    }

    private static readonly string[] ShortBaseline = ["batch", "baseline", "--set", "settings.days=20", "--set", "settings.warmup_days=0"];

    [Fact]
    public void PrecisionKpi_Glob_JudgesOnlyTheKpisItMatches()
    {
        var json = Cli.Run([.. ShortBaseline, "--precision", "0.0001", "--max-replications", "6", "--precision-kpi", "corridor.*.hours_to_cross", "--db", Path.Combine(_folder, "glob.db"), "--json"]);

        Assert.True(json.ExitCode == 0, json.Describe());
        using var document = JsonDocument.Parse(json.Json);
        var precision = document.RootElement.GetProperty("precision");
        Assert.Equal(["corridor.*.hours_to_cross"], precision.GetProperty("kpi_patterns").EnumerateArray().Select(p => p.GetString()));
        var unconverged = precision.GetProperty("unconverged").EnumerateArray().Select(u => u.GetProperty("kpi").GetString()!).ToList();
        Assert.NotEmpty(unconverged);
        Assert.All(unconverged, k => Assert.Matches("^corridor\\.[a-z-]+\\.hours_to_cross$", k));
        Assert.Equal(unconverged.Count, precision.GetProperty("judged_kpis").GetInt32());
    }

    [Fact]
    public void PrecisionKpi_AnExactName_IsJudgedEvenWithLittleTraffic()
    {
        // Po To carries under a truck a year: a glob leaves it out (MaterialTrucks), naming it exactly does not.
        var glob = Cli.Run([.. ShortBaseline, "--precision", "0.5", "--max-replications", "6", "--precision-kpi", "gate.po-to.truck?", "--db", Path.Combine(_folder, "po-to-glob.db"), "--json"]);
        var exact = Cli.Run([.. ShortBaseline, "--precision", "0.5", "--max-replications", "6", "--precision-kpi", "gate.po-to.trucks", "--db", Path.Combine(_folder, "po-to.db"), "--json"]);

        Assert.True(glob.ExitCode == 0 && exact.ExitCode == 0, glob.Describe() + exact.Describe());
        using var globJson = JsonDocument.Parse(glob.Json);
        using var exactJson = JsonDocument.Parse(exact.Json);
        Assert.Equal(0, globJson.RootElement.GetProperty("precision").GetProperty("judged_kpis").GetInt32());
        Assert.Equal(1, exactJson.RootElement.GetProperty("precision").GetProperty("judged_kpis").GetInt32());
        Assert.Contains("WARNING: no KPI was judged", Cli.Run("compare", "1", "--db", Path.Combine(_folder, "po-to-glob.db")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void PrecisionAbsolute_AWideEnoughTolerance_StopsAtTheFirstRound()
    {
        // The same relative target never converges within 6 (PrecisionNotReached_NamesTheKpisStillTooWide); a half-width
        // within 1e12 in every KPI's unit is met at once.
        var json = Cli.Run([.. ShortBaseline, "--precision", "0.0001", "--max-replications", "6", "--precision-absolute", "1e12", "--db", Path.Combine(_folder, "absolute.db"), "--json"]);

        Assert.True(json.ExitCode == 0, json.Describe());
        using var document = JsonDocument.Parse(json.Json);
        Assert.Equal(5, document.RootElement.GetProperty("replications").GetInt32());
        Assert.True(document.RootElement.GetProperty("precision").GetProperty("reached").GetBoolean());
        Assert.Equal(1e12, document.RootElement.GetProperty("precision").GetProperty("absolute_tolerance").GetDouble());
    }

    [Theory]
    [InlineData("gate.*.truck", "'gate.*.truck' matches no KPI")]
    [InlineData("gate.nam-giang.lorries", "'gate.nam-giang.lorries' matches no KPI")]
    [InlineData("lorry.*.trucks", "'lorry.*.trucks' matches no KPI")]
    public void PrecisionKpi_APatternThatMatchesNoKpi_IsRefusedBeforeTheBatch(string pattern, string message)
    {
        var db = Path.Combine(_folder, "refused.db");

        var result = Cli.Run([.. ShortBaseline, "--precision", "0.05", "--precision-kpi", pattern, "--db", db]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(result.StderrLines, l => l.Contains("--precision-kpi: " + message, StringComparison.Ordinal) && l.Contains("tradesim kpis", StringComparison.Ordinal));
        Assert.False(File.Exists(db), "a refused batch created its database");
    }

    [Fact]
    public void PrecisionKpi_WithoutPrecision_IsRefused()
    {
        var result = Cli.Run([.. ShortBaseline, "--precision-kpi", "gate.*.trucks", "--precision-absolute", "1", "--db", Path.Combine(_folder, "alone.db")]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(result.StderrLines, l => l.Contains("--precision-kpi needs --precision", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.Contains("--precision-absolute needs --precision", StringComparison.Ordinal));
    }
}
