using System.Diagnostics;
using TradeSim.Client.Commands;
using TradeSim.Client.Scenarios;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// Reading scenario files (issue 10, item 3): regular files only, a size and a nesting limit, and nothing of a file
/// that is not a scenario repeated in an error. Each case is refused quickly with exit 2 and a located message.
/// </summary>
public sealed class ScenarioReadingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-reading-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Extends_ADevice_IsRefusedWithoutReadingIt()
    {
        var scenario = Write("zero.yaml", "extends: /dev/zero\nname: x\n");

        var result = TimedValidate(scenario);

        Assert.Equal($"error: {scenario}:1:10: '/dev/zero' is a character device: expected a regular scenario file (.yaml)", Assert.Single(result.StderrLines));
    }

    [Fact]
    public void Extends_AFifo_IsRefusedWithoutOpeningIt()
    {
        var fifo = Path.Combine(_folder, "pipe");
        Assert.Equal(0, ProcessRunner.Run("mkfifo", [fifo], TimeSpan.FromSeconds(10)).ExitCode);
        var scenario = Write("fifo.yaml", "extends: pipe\nname: x\n");

        var result = TimedValidate(scenario);

        Assert.Contains("is a FIFO (named pipe): expected a regular scenario file", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileOverTheSizeLimit_IsRefusedBeforeItIsRead()
    {
        var big = Path.Combine(_folder, "big.yaml");
        using (var file = File.Create(big))
        {
            file.SetLength(ScenarioFiles.MaxFileBytes + 1);
        }

        var result = TimedValidate(big);

        Assert.Contains($"is {ScenarioFiles.MaxFileBytes + 1:N0} bytes: expected a scenario file of at most {ScenarioFiles.MaxFileBytes:N0} bytes", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void NestingPastTheLimit_IsALocatedError_NotAStackOverflow()
    {
        var scenario = Write("deep.yaml", "name: x\nsettings: " + new string('[', 20_000) + new string(']', 20_000) + "\n");

        var result = TimedValidate(scenario);

        Assert.Contains(":2:74: YAML syntax error: nested deeper than 64 levels", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_AFileThatIsNotAScenario_NeverRepeatsItsContent()
    {
        // As `extends: /etc/shadow` would: the error names the file, never its lines.
        Write("secrets", "root:$y$j9T$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
        Write("token", "s3cr3t-t0ken\n");
        var viaShadow = Write("a.yaml", "extends: secrets\nname: x\n");
        var viaToken = Write("b.yaml", "extends: token\nname: x\n");

        var shadow = TimedValidate(viaShadow);
        var token = TimedValidate(viaToken);

        Assert.Contains(shadow.StderrLines, l => l.EndsWith("secrets:1:1: not a TradeSim scenario: none of its top-level keys is a scenario section (name, extends, settings, gates, ...)", StringComparison.Ordinal));
        Assert.DoesNotContain("hashhash", shadow.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("daemon", shadow.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", token.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownKeyThatIsNotAName_IsNotRepeated()
    {
        var scenario = Write("odd.yaml", "extends: baseline.yaml\nname: odd\n\"\\e[2Jpassword=hunter2\": 1\n");
        File.Copy(Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml"), Path.Combine(_folder, "baseline.yaml"));

        var result = TimedValidate(scenario);

        Assert.Contains(result.StderrLines, l => l.Contains("scenario: unknown key (not a name: letters, digits, _, - and . only)", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stderr);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static CliResult TimedValidate(string path)
    {
        var started = Stopwatch.GetTimestamp();
        var result = Cli.Run("validate", path);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(20), "validate took too long: it read what it should have refused");
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.Describe());
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        return result;
    }
}
