using System.Globalization;
using System.Text;
using TradeSim.Client.Commands;

namespace TradeSim.Client.Tests;

/// <summary>What one in-process invocation of the CLI produced.</summary>
/// <param name="ExitCode">The process exit code the command returned.</param>
/// <param name="Stdout">Human text written to stdout (summaries, `ok:` lines, listings).</param>
/// <param name="Stderr">Human text written to stderr (errors, `wrote` lines).</param>
/// <param name="StdoutBytes">Bytes written to the raw stdout stream (the `--json` output).</param>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, byte[] StdoutBytes)
{
    public string Json => Encoding.UTF8.GetString(StdoutBytes);

    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    /// <summary>Everything the command printed, for assertion messages.</summary>
    public string Describe() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}{Json}\n--- stderr ---\n{Stderr}";

    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
}

/// <summary>Runs `tradesim` in-process with captured output.</summary>
public static class Cli
{
    public static CliResult Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs the CLI with <paramref name="cancellation"/> standing in for Ctrl-C (cancel it to interrupt the command).</summary>
    public static CliResult Run(CancellationToken cancellation, params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        using var stream = new MemoryStream();
        var code = new TradeSimCli(stdout, stderr, stream, stderrIsTerminal: false, cancellation).Invoke(args);
        return new CliResult(code, stdout.ToString(), stderr.ToString(), stream.ToArray());
    }
}
