using CsCheck;
using TradeSim.Client.Commands;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// The one error path (issue 10, item 1): a bad option value, an output that cannot be written or a full disk ends in
/// one `error:` line naming what and where, exit 2 (the input) or 3 (the machine), and never a stack trace.
/// </summary>
public sealed class ErrorPathTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-errors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string[], string> BadOptionValues() => new()
    {
        { ["batch", "baseline", "--replications", "1e9"], "--replications must be a whole number from 1 to 100000, not '1e9'" },
        { ["batch", "baseline", "--replications", "abc"], "--replications must be a whole number from 1 to 100000, not 'abc'" },
        { ["batch", "baseline", "--replications", "2.5"], "--replications must be a whole number from 1 to 100000, not '2.5'" },
        { ["batch", "baseline", "--replications", "2147483648"], "--replications must be a whole number from 1 to 100000, not '2147483648'" },
        { ["batch", "baseline", "--workers", "x"], "--workers must be a whole number from 1 to 1024, not 'x'" },
        { ["batch", "--resume", "abc"], "--resume must be a batch id (a whole number from 1), not 'abc'" },
        { ["batch", "baseline", "--replications", "2", "--replications", "3"], "'--replications' expects a single argument but 2 were provided" },
        { ["batch", "baseline", "--sweep", "a=1..2", "--sweep", "b=1..2"], "'--sweep' expects a single argument but 2 were provided" },
        { ["batch", "baseline", "--baseline", "a", "--baseline", "b"], "'--baseline' expects a single argument but 2 were provided" },
        { ["batch", "baseline", "--precision", "NaN"], "--precision must be a number above 0 and at most 1, e.g. 0.02, not 'NaN'" },
        { ["run", "baseline", "--days", "1e9"], "--days must be a whole number from 1 to 36600, not '1e9'" },
        { ["run", "baseline", "--seed", "abc"], "--seed must be a whole number from 0 to 18446744073709551615, not 'abc'" },
        { ["run", "baseline", "--seed", "-1"], "--seed must be a whole number from 0 to 18446744073709551615, not '-1'" },
        { ["calibrate", "--tolerance", "NaN"], "--tolerance must be a number above 0 and at most 10, e.g. 0.05, not 'NaN'" },
        { ["calibrate", "--tolerance", "Infinity"], "--tolerance must be a number above 0 and at most 10, e.g. 0.05, not 'Infinity'" },
        { ["generate", "--gates", "x", "--provinces", "1", "--trucks", "1", "--out", "w.yaml"], "--gates must be a whole number from 1 to 2147483647, not 'x'" },
        { ["run", "baseline", "--days", "\u001b[31mred"], "--days must be a whole number from 1 to 36600, not '\\u001b[31mred'" },
        { ["run", ""], "'': expected a scenario file path or a bundled scenario name" },
        { ["batch", "baseline", ""], "'': expected a scenario file path or a bundled scenario name" },
        { ["batch", "baseline", "--report", ""], "--report must be a file or folder path, not ''" },
        { ["batch", "baseline", "--out", " "], "--out must be a file or folder path, not ' '" },
        { ["batch", "baseline", "--db", ""], "--db must be a file or folder path, not ''" },
        { ["compare", "1", "--report", ""], "--report must be a file or folder path, not ''" },
        { ["export", "1", "--format", "csv", "--out", ""], "--out must be a file or folder path, not ''" },
        { ["run", "baseline", "--out", ""], "--out must be a file or folder path, not ''" },
        { ["generate", "--gates", "1", "--provinces", "1", "--trucks", "1", "--out", "\t"], "--out must be a file or folder path, not '\\u0009'" },
    };

    [Theory]
    [MemberData(nameof(BadOptionValues))]
    public void BadOptionValue_IsOneErrorLineNamingTheOption_Exit2(string[] args, string expected)
    {
        var result = Cli.Run(args);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
        Assert.Contains(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        AssertNoStackTrace(result.Stderr + result.Stdout);
        Assert.DoesNotContain('\u001b', result.Stderr);
    }

    [Theory]
    [InlineData("--report", "/proc/tradesim-report.html")]
    [InlineData("--out", "/proc/tradesim-tables")]
    public void Batch_OutputThatCannotBeWritten_IsRefusedBeforeAnythingRuns_Exit3(string option, string path)
    {
        // Nobody, root included, can create a file or folder in /proc.
        var db = Path.Combine(_folder, "never.db");

        var result = Cli.Run("batch", "baseline", "--replications", "2", "--db", db, option, path);

        Assert.True(result.ExitCode == ExitCodes.Environment, result.Describe());
        Assert.StartsWith($"error: {option} '{path}' cannot be written: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(db), "the batch was stored although its output could not be written");
    }

    [Fact]
    public void Batch_WritableOutputs_AreProbedWithoutLeavingAFile()
    {
        var report = Path.Combine(_folder, "report.html");
        Assert.Null(ComparisonOutput.CheckFile(report, "--report"));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void StdoutOnAFullDisk_IsOneErrorLine_Exit3()
    {
        // A real process whose stdout is /dev/full: every write fails with ENOSPC.
        var cli = typeof(TradeSimCli).Assembly.Location;
        var result = ProcessRunner.Run("/bin/sh", ["-c", $"dotnet '{cli}' scenarios > /dev/full"], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == ExitCodes.Environment, result.Describe());
        Assert.Equal("error: the disk is full: No space left on device", result.Stderr.Trim());
    }

    [Fact]
    public void AnyOptionList_ForAMissingScenario_EndsInExit2AndErrorLinesOnly()
    {
        // Fuzzed option lists: whatever the options and values, a command line is refused with error lines and exit 2
        // (the scenario does not exist, so nothing runs), or the parser explains; never an exception or a stack trace.
        string[] options = ["--replications", "--precision", "--max-replications", "--seed", "--workers", "--baseline", "--sweep", "--set", "--resume", "--out", "--report", "--json", "--db", "--days", "--threads", "--tolerance", "--replication", "--verbose"];
        string[] values = ["1", "0", "-1", "2.5", "1e9", "NaN", "-Infinity", "2147483648", "18446744073709551616", "abc", "", "=", "a=1..2", "gates.x.lanes=0", "\u001b[2J", "--", "0x10", " 7", "\u00a0"];
        var argument = Gen.OneOf<string>(Gen.OneOf(options), Gen.OneOf(values));
        var commandLine = Gen.Select(Gen.OneOf("batch", "run", "validate", "calibrate"), argument.Array[0, 8]);

        FixedCases.CheckEach(
            FixedCases.Draw(commandLine, 400),
            sample =>
            {
                var (command, rest) = sample;
                string[] args = command == "calibrate" ? [command, "--scenario", "no-such-scenario.yaml", .. rest] : [command, "no-such-scenario.yaml", .. rest];
                var result = Cli.Run(args);
                var printed = result.Stderr + result.Stdout;
                Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
                Assert.NotEmpty(result.StderrLines);
                Assert.All(result.StderrLines, l => Assert.True(l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("Run '", StringComparison.Ordinal), l));
                Assert.DoesNotContain("   at ", printed, StringComparison.Ordinal);
                Assert.DoesNotContain('\u001b', printed);
            });
    }

    private static void AssertNoStackTrace(string printed)
    {
        Assert.DoesNotContain("Unhandled exception", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", printed, StringComparison.Ordinal);
    }
}
