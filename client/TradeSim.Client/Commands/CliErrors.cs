using Microsoft.Data.Sqlite;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Hosting;

namespace TradeSim.Client.Commands;

/// <summary>Exit codes of the `tradesim` commands.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but its check failed (a calibration target outside tolerance).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input or usage: a malformed scenario, an unknown id, a bad option.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// The machine refused: an output or the result database cannot be written (disk full, permission denied, a
    /// read-only file system), the database is locked by another process or damaged. The input was fine: the same
    /// command may succeed once that is fixed.
    /// </summary>
    public const int Environment = 3;

    /// <summary>A failure TradeSim did not foresee: a bug, reported with its type (`--verbose` shows the stack trace).</summary>
    public const int Internal = 70;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); finished work is kept.</summary>
    public const int Interrupted = 130;
}

/// <summary>What an exception that reached the top of a command means to its user: an exit code and one line.</summary>
internal static class CommandFailure
{
    public static (int Code, string Message) Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var e = Unwrap(failure);
        return e switch
        {
            OperationCanceledException => (ExitCodes.Interrupted, "stopped"),
            SqliteException s => (ExitCodes.Environment, Sqlite(s)),
            // A path that is not a SQLite file, or cannot be opened where it points, is the user's input.
            ResultStoreException { InnerException: SqliteException { SqliteErrorCode: 26 or 14 } } r => (ExitCodes.BadInput, FirstLine(r.Message)),
            ResultStoreException { InnerException: SqliteException s } r => (ExitCodes.Environment, $"{FirstLine(r.Message)} ({Sqlite(s)})"),
            ResultStoreException r => (ExitCodes.BadInput, FirstLine(r.Message)),
            IOException io when IsDiskFull(io) => (ExitCodes.Environment, $"the disk is full: {FirstLine(io.Message)}"),
            IOException io => (ExitCodes.Environment, $"cannot read or write a file: {FirstLine(io.Message)}"),
            UnauthorizedAccessException denied => (ExitCodes.Environment, $"permission denied: {FirstLine(denied.Message)}"),
            _ => (ExitCodes.Internal, $"internal error ({e.GetType().Name}: {FirstLine(e.Message)}); this is a bug: run again with --verbose and report what it prints"),
        };
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            e = aggregate.InnerExceptions[0];
        }

        return e;
    }

    /// <summary>SQLite's primary result codes that a user can act on.</summary>
    private static string Sqlite(SqliteException e) => (e.SqliteErrorCode & 0xff) switch
    {
        5 or 6 => "the result database is locked by another process: try again when it has finished",
        8 => "the result database is read-only",
        10 => "the disk could not be read or written (SQLite I/O error)",
        11 or 26 => "the result database is damaged or not a SQLite file",
        13 => "the disk is full: the result database could not be written",
        14 => "the result database cannot be opened (its folder is missing or not writable)",
        _ => $"SQLite error {e.SqliteErrorCode}: {FirstLine(e.Message)}",
    };

    private static bool IsDiskFull(IOException e) =>
        (e.HResult & 0xffff) is 28 or 112 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string text) => CommandLineValues.OneLine(text);
}

/// <summary>
/// The process's console as the commands see it: the writers, the raw stdout stream (for JSON), the command line,
/// whether stderr is a terminal (for the progress bar) and the token that Ctrl-C or SIGTERM cancels.
/// </summary>
internal sealed record CliConsole(TextWriter Stdout, TextWriter Stderr, Stream StdoutStream, IReadOnlyList<string> Arguments, bool StderrIsTerminal, CancellationToken Cancellation);

internal static class ErrorReport
{
    public static int Scenario(TextWriter stderr, IEnumerable<ScenarioError> errors)
    {
        foreach (var e in errors)
        {
            stderr.WriteLine(CommandLineValues.EscapeControls($"error: {e}"));
        }

        return ExitCodes.BadInput;
    }
}
