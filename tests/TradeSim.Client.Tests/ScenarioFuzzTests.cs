using CsCheck;
using TradeSim.Client.Commands;
using TradeSim.Client.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>
/// A standing fuzz test of scenario files (issue 10, item 8): the baseline with random values put in, lines dropped or
/// repeated. Whatever `validate` says, it says it with exit 0 or 2 and error lines only; whatever it accepts runs to
/// the end. Fixed seed, a budget of a few seconds.
/// </summary>
public sealed class ScenarioFuzzTests : IDisposable
{
    private static readonly string[] Values =
    [
        "0", "-1", "1", "2.5", "1e9", "1e308", "-1e308", "NaN", ".inf", "-.inf", "abc", "\"\"", "~", "[]", "{}", "[1, 2]",
        "99999999999", "2147483648", "9999-12-31", "1900-01-01", "0.0000001", "\"\\e[2J\"", "=1+1", "yes", "0x10", "1_000",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("tradesim-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MutatedBaseline_IsRefusedWithErrorLines_OrValidatesAndRunsToTheEnd()
    {
        var lines = File.ReadAllLines(Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml"));
        var valueLines = Enumerable.Range(0, lines.Length).Where(i => ValueStart(lines[i]) > 0).ToArray();
        var mutation = Gen.Select(Gen.Int[0, 2], Gen.Int[0, valueLines.Length - 1], Gen.Int[0, Values.Length - 1]);
        var mutations = mutation.Array[1, 3];
        var path = Path.Combine(_folder, "mutated.yaml");
        var accepted = 0;

        FixedCases.CheckEach(
            FixedCases.Draw(mutations, 300),
            sample =>
            {
                var text = lines.ToList();
                foreach (var (kind, line, value) in sample.OrderByDescending(m => valueLines[m.Item2]))
                {
                    var at = valueLines[line];
                    switch (kind)
                    {
                        case 0:
                            text[at] = text[at][..ValueStart(text[at])] + Values[value];
                            break;
                        case 1:
                            text.RemoveAt(at);
                            break;
                        default:
                            text.Insert(at, text[at]);
                            break;
                    }
                }

                File.WriteAllLines(path, text);
                var validated = Cli.Run("validate", path);
                Assert.True(validated.ExitCode is ExitCodes.Success or ExitCodes.BadInput, validated.Describe());
                Assert.DoesNotContain("   at ", validated.Stderr, StringComparison.Ordinal);
                Assert.DoesNotContain('\u001b', validated.Stderr);
                if (validated.ExitCode == ExitCodes.BadInput)
                {
                    Assert.All(validated.StderrLines, l => Assert.StartsWith("error: ", l, StringComparison.Ordinal));
                    return;
                }

                accepted++;
                var run = Cli.Run("run", path, "--days", "3");
                Assert.True(run.ExitCode == ExitCodes.Success, $"validate accepted it, run failed:\n{string.Join('\n', text)}\n{run.Describe()}");
            });

        // The fuzz must exercise both sides of the contract.
        Assert.InRange(accepted, 10, 290);
    }

    /// <summary>Where the value of a `key: value` line starts (after the colon and space), before any comment; 0 when it has none.</summary>
    private static int ValueStart(string line)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith('#') || trimmed.StartsWith('-'))
        {
            return 0;
        }

        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && line[(colon + 2)..].Trim().Length > 0 ? colon + 2 : 0;
    }
}
