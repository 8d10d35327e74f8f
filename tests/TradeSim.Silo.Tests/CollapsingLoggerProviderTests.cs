using Microsoft.Extensions.Logging;
using TradeSim.Silo.Hosting;

namespace TradeSim.Silo.Tests;

/// <summary>
/// Orleans' repeated warnings are written once per event and window, without stack traces; everything else passes
/// untouched. Windows are short (200 ms) and every wait is well beyond one, so what is asserted does not depend on
/// how fast the machine is: repeats within a window are logged in a tight loop (microseconds), and only after a sleep
/// of 2.5 windows is a message expected again.
/// </summary>
public sealed class CollapsingLoggerProviderTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BeyondTheWindow = TimeSpan.FromMilliseconds(500);
    private static readonly EventId ConnectionFailed = new(101021, "ConnectionFailed");

    [Fact]
    public void CreateLogger_NonOrleansCategory_PassesEverythingUntouched()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("TradeSim.Grains.Batches.BatchGrain");
        var error = new InvalidOperationException("boom");

        for (var i = 0; i < 100; i++)
        {
            logger.LogWarning(ConnectionFailed, error, "run {Run} failed", 7);
        }

        Assert.Equal(100, inner.Entries.Count);
        Assert.All(inner.Entries, e => Assert.Equal(("run 7 failed", error), (e.Message, e.Exception)));
    }

    [Fact]
    public void Log_OrleansWarningRepeatedWithinTheWindow_IsWrittenOnce()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("Orleans.Runtime.Messaging.NetworkingTrace");

        for (var i = 0; i < 100; i++)
        {
            logger.LogWarning(ConnectionFailed, "Connection to {Endpoint} failed", "10.0.0.5:11111");
        }

        var entry = Assert.Single(inner.Entries);
        Assert.Equal((LogLevel.Warning, ConnectionFailed.Id, "Connection to 10.0.0.5:11111 failed"), (entry.Level, entry.EventId.Id, entry.Message));
        Assert.Equal("Orleans.Runtime.Messaging.NetworkingTrace", entry.Category);
    }

    [Fact]
    public void Log_AfterTheWindow_IsWrittenAgain_SayingHowManyWereHeldBack()
    {
        var (provider, inner) = Collapsing(Window);
        var logger = provider.CreateLogger("Orleans.Runtime.MembershipService.MembershipTableManager");

        for (var i = 0; i < 100; i++)
        {
            logger.LogError(ConnectionFailed, "Connection to {Endpoint} failed", "10.0.0.5:11111");
        }

        Assert.Single(inner.Entries);
        Thread.Sleep(BeyondTheWindow);
        logger.LogError(ConnectionFailed, "Connection to {Endpoint} failed", "10.0.0.5:11111");
        Thread.Sleep(BeyondTheWindow);
        logger.LogError(ConnectionFailed, "Connection to {Endpoint} failed", "10.0.0.5:11111");

        var messages = inner.Entries.Select(e => e.Message).ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal("Connection to 10.0.0.5:11111 failed", messages[0]);
        Assert.StartsWith("Connection to 10.0.0.5:11111 failed [99 more like this in the last ", messages[1], StringComparison.Ordinal);
        Assert.EndsWith(" s]", messages[1], StringComparison.Ordinal);
        Assert.Equal("Connection to 10.0.0.5:11111 failed", messages[2]);
        Assert.All(inner.Entries, e => Assert.Equal(LogLevel.Error, e.Level));
    }

    [Fact]
    public void Log_MessagesDifferingOnlyInNumbers_CollapseTogether()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("Orleans.Runtime.Messaging.NetworkingTrace");

        for (var i = 0; i < 50; i++)
        {
            logger.LogWarning(ConnectionFailed, "Connection to {Endpoint} failed after {Ms} ms", $"10.0.0.{i}:{11111 + i}", i * 7);
        }

        Assert.Equal(["Connection to 10.0.0.0:11111 failed after 0 ms"], inner.Entries.Select(e => e.Message));
    }

    [Fact]
    public void Log_DifferentEventIdsOrCategoriesOrTexts_AreNotCollapsedTogether()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var networking = provider.CreateLogger("Orleans.Runtime.Messaging.NetworkingTrace");
        var membership = provider.CreateLogger("Microsoft.Orleans.Membership");

        for (var i = 0; i < 10; i++)
        {
            networking.LogWarning(ConnectionFailed, "Connection failed");
            networking.LogWarning(new EventId(101022), "Connection failed");
            membership.LogWarning(ConnectionFailed, "Connection failed");
            networking.LogWarning(ConnectionFailed, "Connection refused");
        }

        Assert.Equal(
            [
                ("Orleans.Runtime.Messaging.NetworkingTrace", 101021, "Connection failed"),
                ("Orleans.Runtime.Messaging.NetworkingTrace", 101022, "Connection failed"),
                ("Microsoft.Orleans.Membership", 101021, "Connection failed"),
                ("Orleans.Runtime.Messaging.NetworkingTrace", 101021, "Connection refused"),
            ],
            inner.Entries.Select(e => (e.Category, e.EventId.Id, e.Message)));
    }

    [Fact]
    public void Log_OrleansWarningWithAnException_IsOneLineOfTypeAndMessage_WithoutTheStackTrace()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("Orleans.Runtime.Messaging.NetworkingTrace");
        var thrown = Thrown(new IOException("Connection reset\nby peer"));
        Assert.NotNull(thrown.StackTrace);

        logger.LogWarning(ConnectionFailed, thrown, "Connection to {Endpoint} failed", "10.0.0.5:11111");

        var entry = Assert.Single(inner.Entries);
        // Only the first line of the exception's message: Orleans puts whole stack traces into some messages.
        Assert.Equal("Connection to 10.0.0.5:11111 failed (IOException: Connection reset)", entry.Message);
        Assert.Null(entry.Exception);
    }

    [Theory]
    [InlineData(LogLevel.Trace)]
    [InlineData(LogLevel.Debug)]
    [InlineData(LogLevel.Information)]
    public void Log_OrleansBelowWarning_PassesUntouched(LogLevel level)
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("Orleans.Runtime.Silo");
        var error = Thrown(new InvalidOperationException("kept whole"));

        for (var i = 0; i < 20; i++)
        {
            logger.Log(level, ConnectionFailed, error, "Silo {Name} step {Step}", "a", 1);
        }

        Assert.Equal(20, inner.Entries.Count);
        Assert.All(inner.Entries, e => Assert.Equal((level, "Silo a step 1", (Exception?)error), (e.Level, e.Message, e.Exception)));
    }

    [Fact]
    public void Log_LevelTheInnerLoggerDoesNotWrite_IsNotCountedAsWritten()
    {
        var (provider, inner) = Collapsing(TimeSpan.FromHours(1));
        var logger = provider.CreateLogger("Orleans.Runtime.Silo");

        inner.MinimumLevel = LogLevel.Error;
        logger.LogWarning(ConnectionFailed, "Connection failed");
        inner.MinimumLevel = LogLevel.Trace;
        logger.LogWarning(ConnectionFailed, "Connection failed");

        Assert.Equal(["Connection failed"], inner.Entries.Select(e => e.Message));
    }

    private static (CollapsingLoggerProvider Provider, CapturingLoggerProvider Inner) Collapsing(TimeSpan window)
    {
        var inner = new CapturingLoggerProvider();
        return (new CollapsingLoggerProvider(inner, window), inner);
    }

    private static T Thrown<T>(T exception)
        where T : Exception
    {
        try
        {
            throw exception;
        }
        catch (T e)
        {
            return e;
        }
    }

    private sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    /// <summary>Keeps every message written through it, formatted as a real provider would format it.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly Lock _gate = new();
        private readonly List<Entry> _entries = [];

        public LogLevel MinimumLevel { get; set; } = LogLevel.Trace;

        public IReadOnlyList<Entry> Entries
        {
            get
            {
                lock (_gate)
                {
                    return [.. _entries];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._gate)
                {
                    owner._entries.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
                }
            }
        }
    }
}
