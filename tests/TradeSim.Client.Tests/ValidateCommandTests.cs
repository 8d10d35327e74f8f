using System.Diagnostics;
using System.Text;

namespace TradeSim.Client.Tests;

/// <summary>`tradesim validate FILE...`: exit code 2 and a located, readable error for every kind of bad scenario.</summary>
public sealed class ValidateCommandTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    private const string NamGiangVnHours = "hours: \"07:00-19:00\"               # assumption: day-time";

    public static TheoryData<string> BundledScenarioFiles => Scenarios.BundledFiles();

    [Theory]
    [MemberData(nameof(BundledScenarioFiles))]
    public void Validate_BundledScenario_ReturnsZero(string fileName)
    {
        var path = Path.Combine(Scenarios.BundledDirectory, fileName);

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal($"ok: {path}", Assert.Single(result.StdoutLines));
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Validate_BundledName_ReturnsZero()
    {
        var result = Cli.Run("validate", "baseline");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("ok: baseline", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public void Validate_WhatIfExtendingBaselineByAbsolutePath_ReturnsZero()
    {
        var path = temp.WriteFile("four-lanes.yaml", $$"""
            name: nam-giang-four-lanes
            description: Nam Giang with four Vietnamese inspection lanes
            extends: {{Scenarios.BaselinePath}}
            gates: { nam-giang: { vn: { lanes: 4 } } }
            """);

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal($"ok: {path}", Assert.Single(result.StdoutLines));
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public void Validate_BadFileThenGoodFile_Returns2AndStillReportsOkForTheGoodOne()
    {
        var (text, line) = Scenarios.EditBaseline("class: auxiliary ", "class: no-such-class ");
        var bad = temp.WriteFile("bad.yaml", text);

        var result = Cli.Run("validate", bad, Scenarios.BaselinePath);

        ErrorAssert.Rejected(result, "bad.yaml", line, "unknown gate class 'no-such-class'");
        Assert.Equal($"ok: {Scenarios.BaselinePath}", Assert.Single(result.StdoutLines));
        Assert.DoesNotContain(result.StdoutLines, l => l.Contains("bad.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadIndentationInBaseline_ReportsSyntaxErrorAtThatLine()
    {
        var (text, line) = Scenarios.EditBaseline("\n  days: 365", "\n   days: 365");
        var path = temp.WriteFile("indent.yaml", text);

        var result = Cli.Run("validate", path);

        // The snippet starts with the newline that ends the line before.
        var error = ErrorAssert.Rejected(result, "indent.yaml", line + 1, "YAML syntax error");
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyIndentedDeeperThanItsSibling_ReportsSyntaxErrorAtThatLine()
    {
        var path = temp.WriteFile("indent-small.yaml", "name: x\nsettings:\n  start: 2023-01-01\n   days: 10\ngates: {}\n");

        var result = Cli.Run("validate", path);

        ErrorAssert.Rejected(result, "indent-small.yaml", 4, "YAML syntax error");
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void Validate_UnclosedBracketAtEndOfFile_ReportsSyntaxErrorAtEndOfFile()
    {
        // Three lines; the missing `]` is noticed at the end of the text, i.e. line 4, column 1.
        var path = temp.WriteFile("unclosed-eof.yaml", "name: x\ngate_classes:\n  main: [trade, local\n");

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "unclosed-eof.yaml", 4, "YAML syntax error");
        Assert.Contains("']'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Validate_UnclosedBracketBeforeNextKey_ReportsSyntaxErrorNearTheBracket()
    {
        var (text, line) = Scenarios.EditBaseline("international: [transit, trade, local]", "international: [transit, trade, local");
        var path = temp.WriteFile("unclosed.yaml", text);

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        var error = Assert.Single(ErrorAssert.AllLocated(result));
        Assert.EndsWith("unclosed.yaml", error.File, StringComparison.Ordinal);
        Assert.InRange(error.Line, line, line + 1);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("empty", "the file is empty")]
    [InlineData("whitespace", "the file is empty")]
    [InlineData("comments", "the file holds only comments")]
    [InlineData("binary", "not a text file")]
    [InlineData("invalid-utf8", "not UTF-8 text")]
    public void Validate_FileWithoutScenarioText_ReportsErrorAtLineOne(string kind, string fragment)
    {
        byte[] content = kind switch
        {
            "empty" => [],
            "whitespace" => Encoding.UTF8.GetBytes("\n  \n\t\n"),
            "comments" => Encoding.UTF8.GetBytes("# a scenario file\n\n   # with nothing but comments\n"),
            "binary" => [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, 0, 1, 2, 0, 0xff],
            "invalid-utf8" => [.. Encoding.UTF8.GetBytes("name: "), 0xc3, 0x28, 0xff, (byte)'\n'],
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var path = Path.Combine(temp.NewDirectory(kind), kind + ".yaml");
        File.WriteAllBytes(path, content);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, kind + ".yaml", 1, fragment);
        Assert.Equal(1, error.Column);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Validate_MissingFile_ReportsNotFound()
    {
        var path = Path.Combine(temp.NewDirectory("missing"), "no-such-file.yaml");

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"error: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains("not found", line, StringComparison.Ordinal);
        Assert.Contains("expected", line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Validate_Directory_ReportsThatItIsNotAFile()
    {
        var path = temp.NewDirectory("folder.yaml");

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"error: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains("is a directory", line, StringComparison.Ordinal);
        Assert.Contains("expected a scenario file", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dakchung-road: { from: sekong,", "dakchung-road: { from: no-such-node,", "road 'dakchung-road': unknown place 'no-such-node'")]
    [InlineData("    to: chan-may ", "    to: no-such-node ", "flow 'bauxite-transit': unknown node 'no-such-node'")]
    [InlineData("    home: jinping", "    home: no-such-node", "carrier 'jinping-traders': unknown node 'no-such-node'")]
    [InlineData("class: auxiliary ", "class: no-such-class ", "gate 'dak-blo': unknown gate class 'no-such-class'")]
    [InlineData("commodity: bauxite", "commodity: no-such-commodity", "flow 'bauxite-transit': unknown commodity 'no-such-commodity'")]
    [InlineData("bauxite: { mean_minutes: 30", "no-such-commodity: { mean_minutes: 30", "post 'vn' service: unknown commodity 'no-such-commodity'")]
    public void Validate_UnknownReference_ReportsItAtItsLine(string find, string replace, string fragment)
    {
        var (text, line) = Scenarios.EditBaseline(find, replace);
        var path = temp.WriteFile("unknown-reference.yaml", text);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "unknown-reference.yaml", line, fragment);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
    }

    [Theory]
    [InlineData("lanes: 3 ", "lanes: 0 ", "lanes is 0")]
    [InlineData("lanes: 3 ", "lanes: -3 ", "lanes is -3")]
    [InlineData("holding_capacity: 120", "holding_capacity: 0", "holding_capacity is 0")]
    [InlineData("capacity_t: 34", "capacity_t: -34", "capacity_t is -34")]
    public void Validate_ValueOutOfRange_ReportsItAtItsLine(string find, string replace, string fragment)
    {
        var (text, line) = Scenarios.EditBaseline(find, replace);
        var path = temp.WriteFile("out-of-range.yaml", text);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "out-of-range.yaml", line, fragment);
        Assert.Contains("expected a", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
    }

    [Theory]
    [InlineData("25:00-18:00")]
    [InlineData("18:00-07:00")]
    [InlineData("07:00-07:00")]
    [InlineData("7am")]
    public void Validate_ImpossibleOpeningHours_ReportsThemAtTheirLine(string hours)
    {
        var (text, line) = Scenarios.EditBaseline(NamGiangVnHours, NamGiangVnHours.Replace("07:00-19:00", hours, StringComparison.Ordinal));
        var path = temp.WriteFile("hours.yaml", text);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "hours.yaml", line, $"gate 'nam-giang' post 'vn' hours '{hours}' are impossible");
        Assert.Contains("expected `HH:MM-HH:MM`", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void Validate_UnknownKeyTypo_ReportsTheTypoAtItsLine()
    {
        var (text, line) = Scenarios.EditBaseline("lanes: 3 ", "lanez: 3 ");
        var path = temp.WriteFile("typo.yaml", text);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "typo.yaml", line, "unknown key 'lanez'");
        Assert.Contains("expected one of name, lanes,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateGateId_ReportsTheDuplicateLine()
    {
        // Rename the gia-khau gate to po-to, so `po-to:` appears twice under `gates:`.
        var (text, line) = Scenarios.EditBaseline("  gia-khau:\n    name: Gia Khau", "  po-to:\n    name: Gia Khau");
        var firstLine = Scenarios.LineOf(text, text.IndexOf("\n  po-to:\n", StringComparison.Ordinal) + 1);
        Assert.True(firstLine < line);
        var path = temp.WriteFile("duplicate.yaml", text);

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "duplicate.yaml", line, "duplicate key 'po-to'");
        Assert.Equal(3, error.Column);
        Assert.Contains($"first defined at line {firstLine}", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected each id once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateGateId_ReportsTheDuplicateOnce()
    {
        var (text, _) = Scenarios.EditBaseline("  gia-khau:\n    name: Gia Khau", "  po-to:\n    name: Gia Khau");
        var path = temp.WriteFile("duplicate-once.yaml", text);

        var result = Cli.Run("validate", path);

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void Validate_CyclicExtends_ReportsTheCycleAtTheExtendsLine()
    {
        var dir = temp.NewDirectory("cycle");
        var a = TempDirectoryFixture.WriteFile(dir, "a.yaml", "name: a\nextends: b.yaml\n");
        TempDirectoryFixture.WriteFile(dir, "b.yaml", "# b changes a\nname: b\nextends: a.yaml\n");

        var result = Cli.Run("validate", a);

        var error = ErrorAssert.Rejected(result, "b.yaml", 3, "cyclic");
        Assert.Contains("a.yaml -> b.yaml -> a.yaml", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public void Validate_SelfExtends_ReportsTheCycle()
    {
        var path = temp.WriteFile("self.yaml", "name: self\nextends: self.yaml\n");

        var result = Cli.Run("validate", path);

        ErrorAssert.Rejected(result, "self.yaml", 2, "cyclic");
    }

    [Fact]
    public void Validate_ExtendsMissingFile_ReportsNotFoundAtTheExtendsLine()
    {
        var path = temp.WriteFile("orphan.yaml", "name: orphan\ndescription: extends nothing real\nextends: no-such-base.yaml\ngates: {}\n");

        var result = Cli.Run("validate", path);

        var error = ErrorAssert.Rejected(result, "orphan.yaml", 3, "not found");
        Assert.Contains("no-such-base.yaml", error.Message, StringComparison.Ordinal);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Executable_BadFile_ExitsWith2WithoutStackTrace()
    {
        var tradesim = Path.Combine(AppContext.BaseDirectory, "tradesim.dll");
        Assert.True(File.Exists(tradesim), $"the client's tradesim.dll is not next to the tests: {tradesim}");
        var (text, line) = Scenarios.EditBaseline("class: auxiliary ", "class: no-such-class ");
        var path = temp.WriteFile("process.yaml", text);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        start.ArgumentList.Add(tradesim);
        start.ArgumentList.Add("validate");
        start.ArgumentList.Add(path);

        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("tradesim did not exit within 60 s");
            }
        }

        var result = new CliResult(process.ExitCode, await stdoutTask, await stderrTask, []);

        Assert.Equal(2, result.ExitCode);
        ErrorAssert.NoStackTrace(result.Stderr);
        ErrorAssert.Rejected(result, "process.yaml", line, "unknown gate class 'no-such-class'");
    }
}
