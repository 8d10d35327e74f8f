using System.Globalization;
using System.Text.RegularExpressions;

namespace TradeSim.Client.Tests;

/// <summary>One `error: file:line:column: message` line of the CLI's stderr.</summary>
public sealed record LocatedError(string File, int Line, int Column, string Message);

/// <summary>Assertions on how the CLI reports bad input.</summary>
public static partial class ErrorAssert
{
    /// <summary>No .NET stack trace and no unhandled-exception banner.</summary>
    public static void NoStackTrace(string stderr)
    {
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrame(), stderr);
    }

    /// <summary>
    /// Exit code 2, no stack trace, every stderr line in the form `error: file:line:column: message`, and one of them
    /// in <paramref name="fileName"/> at <paramref name="line"/> with <paramref name="fragment"/> in its message.
    /// </summary>
    public static LocatedError Rejected(CliResult result, string fileName, int line, string fragment)
    {
        Assert.True(result.ExitCode == 2, result.Describe());
        NoStackTrace(result.Stderr);
        var errors = AllLocated(result);
        var match = errors.FirstOrDefault(e => e.File.EndsWith(fileName, StringComparison.Ordinal) && e.Line == line && e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.True(match is not null, $"expected an error in {fileName} at line {line.ToString(CultureInfo.InvariantCulture)} containing \"{fragment}\"\n{result.Describe()}");
        return match;
    }

    /// <summary>Every stderr line parsed as a located error; fails on any line that is not one.</summary>
    public static IReadOnlyList<LocatedError> AllLocated(CliResult result)
    {
        Assert.NotEmpty(result.StderrLines);
        var errors = new List<LocatedError>();
        foreach (var line in result.StderrLines)
        {
            var m = Located().Match(line);
            Assert.True(m.Success, $"stderr line is not `error: <file>:<line>:<col>: <message>`: {line}\n{result.Describe()}");
            errors.Add(new LocatedError(
                m.Groups["file"].Value,
                int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["column"].Value, CultureInfo.InvariantCulture),
                m.Groups["message"].Value));
        }

        return errors;
    }

    [GeneratedRegex(@"^error: (?<file>.+?):(?<line>[1-9][0-9]*):(?<column>[1-9][0-9]*): (?<message>.+)$")]
    private static partial Regex Located();

    [GeneratedRegex(@"(?m)^\s+at \S")]
    private static partial Regex StackFrame();
}
