using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// Wraps a logger provider so that Orleans' warnings and errors are written once per event rather than once per
/// attempt: while a peer silo is dead, Orleans logs the same connection failure (with its stack trace) many times a
/// second. A message of an Orleans category is written the first time; the same message (numbers ignored) is then
/// held back for <see cref="Window"/>, after which one line says how many were held back. Collapsed messages keep
/// their first line, and exceptions their type and message, without stack traces. TradeSim's own messages pass untouched.
/// </summary>
public sealed partial class CollapsingLoggerProvider(ILoggerProvider inner, TimeSpan window) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, Occurrence> _seen = new(StringComparer.Ordinal);

    public TimeSpan Window => window;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Orleans", StringComparison.Ordinal) || categoryName.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
            ? new CollapsingLogger(this, categoryName, inner.CreateLogger(categoryName))
            : inner.CreateLogger(categoryName);

    public void Dispose() => inner.Dispose();

    /// <summary>Whether to write a message now, and how many like it were held back since it was last written.</summary>
    internal bool ShouldWrite(string category, EventId eventId, string message, out int heldBack)
    {
        var key = string.Concat(category, "|", eventId.Id.ToString(CultureInfo.InvariantCulture), "|", Numbers().Replace(message, "#"));
        var now = Stopwatch.GetTimestamp();
        var occurrence = _seen.GetOrAdd(key, _ => new Occurrence());
        lock (occurrence)
        {
            if (occurrence.WrittenAt != 0 && Stopwatch.GetElapsedTime(occurrence.WrittenAt, now) < window)
            {
                occurrence.HeldBack++;
                heldBack = 0;
                return false;
            }

            heldBack = occurrence.HeldBack;
            occurrence.HeldBack = 0;
            occurrence.WrittenAt = now;
            return true;
        }
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Numbers();

    private sealed class Occurrence
    {
        public long WrittenAt { get; set; }

        public int HeldBack { get; set; }
    }

    private sealed class CollapsingLogger(CollapsingLoggerProvider owner, string category, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            if (logLevel < LogLevel.Warning)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var message = formatter(state, exception);
            if (!owner.ShouldWrite(category, eventId, message, out var heldBack))
            {
                return;
            }

            // Orleans puts some exceptions, stack trace and all, into the message text: keep its first line.
            var firstLine = message.Split('\n', 2)[0].TrimEnd('\r');
            var line = exception is null ? firstLine : $"{firstLine} ({exception.GetType().Name}: {exception.Message.Split('\n', 2)[0].TrimEnd('\r')})";
            if (heldBack > 0)
            {
                line += string.Create(CultureInfo.InvariantCulture, $" [{heldBack} more like this in the last {owner.Window.TotalSeconds:F0} s]");
            }

            inner.Log(logLevel, eventId, line, null, static (s, _) => s);
        }
    }
}
