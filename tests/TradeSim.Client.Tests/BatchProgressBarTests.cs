using System.Globalization;
using TradeSim.Client.Batches;

namespace TradeSim.Client.Tests;

public class BatchProgressBarTests
{
    [Fact]
    public void OnATerminal_RedrawsOneBarInPlace_AndEndsTheLine()
    {
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var progress = new BatchProgressBar(stderr, interactive: true, batchId: 7);

        progress.Start(done: 2, total: 4);
        progress.Advance();
        progress.Advance();
        progress.Stop();

        var text = stderr.ToString();
        Assert.StartsWith("\r  [", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Contains("[###############...............] 2/4 runs (50%)", text, StringComparison.Ordinal);
        Assert.Contains("[##############################] 4/4 runs (100%)", text, StringComparison.Ordinal);
        Assert.EndsWith("\u001b[K\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void InAFile_WritesPlainLines_AtEachTenthOfTheWay()
    {
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var progress = new BatchProgressBar(stderr, interactive: false, batchId: 3);

        progress.Start(done: 0, total: 20);
        for (var i = 0; i < 20; i++)
        {
            progress.Advance();
        }

        progress.Stop();

        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\r', stderr.ToString());
        Assert.DoesNotContain('\u001b', stderr.ToString());
        Assert.Equal("batch 3: 0/20 runs done, running 20", lines[0]);
        Assert.Equal(11, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("batch 3: ", l, StringComparison.Ordinal));
        Assert.StartsWith("batch 3: 20/20 runs (100%)", lines[^1], StringComparison.Ordinal);
    }
}
