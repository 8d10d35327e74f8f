using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using TradeSim.Silo.Hosting;

namespace TradeSim.Silo.Tests;

/// <summary>Log messages as single lines on a text writer: the CLI's stderr, a silo's stdout.</summary>
public sealed partial class TextWriterLoggerProviderTests
{
    [Fact]
    public void Log_WithoutTimestamps_WritesLevelAndMessage_OneLineEach()
    {
        using var writer = new StringWriter();
        using var provider = new TextWriterLoggerProvider(writer);
        var logger = provider.CreateLogger("TradeSim.Test");

        logger.LogInformation("batch {Id} started", 7);
        logger.LogWarning("slow");
        logger.LogError(new InvalidOperationException("line one\nline two"), "run failed");
        logger.LogCritical("down");
        logger.LogDebug("detail");

        Assert.Equal(
            ["info: batch 7 started", "warning: slow", "error: run failed (InvalidOperationException: line one line two)", "critical: down", "debug: detail"],
            writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Log_WithTimestamps_PrefixesTimeAndCategory()
    {
        using var writer = new StringWriter();
        using var provider = new TextWriterLoggerProvider(writer, withTimestamp: true);

        provider.CreateLogger("Orleans.Runtime.Silo").LogInformation("started");

        Assert.Matches(TimestampedLine(), writer.ToString().TrimEnd());
    }

    [Fact]
    public void Log_FromManyThreads_NeverInterleavesLines()
    {
        using var writer = new StringWriter();
        using var provider = new TextWriterLoggerProvider(writer);
        var logger = provider.CreateLogger("TradeSim.Test");

        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 200; i++)
            {
                logger.LogInformation("thread {Thread} message {Index} with some text to make the line long", t, i);
            }
        });

        var lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1600, lines.Length);
        Assert.All(lines, l => Assert.Matches("^info: thread [0-7] message [0-9]+ with some text to make the line long$", l));
    }

    [GeneratedRegex(@"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} info Orleans\.Runtime\.Silo: started$")]
    private static partial Regex TimestampedLine();
}
