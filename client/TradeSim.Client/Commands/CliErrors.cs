using TradeSim.Grains.Scenarios;

namespace TradeSim.Client.Commands;

/// <summary>Exit codes of the `tradesim` commands.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran but its check failed (a calibration target outside tolerance).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input or usage: a malformed scenario, an unknown id, a bad option.</summary>
    public const int BadInput = 2;
}

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
