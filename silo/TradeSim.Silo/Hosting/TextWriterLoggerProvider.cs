using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// Writes log messages as single lines - `level: message`, or `HH:mm:ss.fff level category: message` with timestamps -
/// to a text writer: the CLI's stderr for an embedded silo (never stdout, where results go), a silo process's stdout.
/// </summary>
public sealed class TextWriterLoggerProvider(TextWriter writer, bool withTimestamp = false) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new WriterLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message)
    {
        var name = level switch
        {
            LogLevel.Critical => "critical",
            LogLevel.Error => "error",
            LogLevel.Warning => "warning",
            LogLevel.Information => "info",
            _ => "debug",
        };
        var line = withTimestamp
            ? string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {name} {category}: {message}")
            : $"{name}: {message}";
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private sealed class WriterLogger(TextWriterLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var message = formatter(state, exception);
            owner.Write(logLevel, category, exception is null ? message : $"{message} ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})");
        }
    }
}
