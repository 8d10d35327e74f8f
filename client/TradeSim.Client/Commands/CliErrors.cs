using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Commands;

/// <summary>Exit codes of the `tradesim` commands.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but its check failed (a calibration target outside tolerance).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input or usage: a malformed scenario, an unknown id, a bad option.</summary>
    public const int BadInput = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); finished work is kept.</summary>
    public const int Interrupted = 130;
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
            stderr.WriteLine($"error: {e}");
        }

        return ExitCodes.BadInput;
    }
}
