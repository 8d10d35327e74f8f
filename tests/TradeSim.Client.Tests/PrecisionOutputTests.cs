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
}
