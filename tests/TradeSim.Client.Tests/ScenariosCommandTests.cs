namespace TradeSim.Client.Tests;

/// <summary>`tradesim scenarios` lists the bundled scenarios with their descriptions.</summary>
public sealed class ScenariosCommandTests
{
    [Fact]
    public void Scenarios_NoArguments_ListsBaselineWithItsDescription()
    {
        var description = Scenarios.BaselineDefinition().Description;
        Assert.False(string.IsNullOrWhiteSpace(description));

        var result = Cli.Run("scenarios");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Empty(result.Stderr);
        var lines = result.StdoutLines;
        var at = lines.ToList().IndexOf("baseline");
        Assert.True(at >= 0 && at + 1 < lines.Count, result.Describe());
        Assert.Equal("    " + description, lines[at + 1]);
    }

    [Fact]
    public void Scenarios_NoArguments_ListsEveryBundledFileWithADescription()
    {
        var names = Directory.GetFiles(Scenarios.BundledDirectory, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();

        var result = Cli.Run("scenarios");

        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StdoutLines;
        Assert.Equal(2 * names.Count, lines.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var header = lines[2 * i];
            Assert.True(header == names[i] || header.StartsWith(names[i] + " (extends ", StringComparison.Ordinal), $"line {2 * i}: {header}");
            Assert.StartsWith("    ", lines[(2 * i) + 1], StringComparison.Ordinal);
            Assert.DoesNotContain("(invalid:", lines[(2 * i) + 1], StringComparison.Ordinal);
        }
    }
}
