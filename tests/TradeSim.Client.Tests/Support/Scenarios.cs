using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>The bundled scenario files copied next to the tests (the same folder the CLI resolves bundled names in).</summary>
public static class Scenarios
{
    public static string BundledDirectory => Path.Combine(AppContext.BaseDirectory, "scenarios");

    public static string BaselinePath => Path.Combine(BundledDirectory, "baseline.yaml");

    public static string BaselineText => File.ReadAllText(BaselinePath);

    /// <summary>File names of every bundled scenario, discovered when the tests run.</summary>
    public static TheoryData<string> BundledFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(BundledDirectory, "*.yaml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }

    /// <summary>The parsed baseline, for expected ids and descriptions.</summary>
    public static ScenarioDefinition BaselineDefinition()
    {
        var parsed = ScenarioParser.Parse("baseline.yaml", BaselineText);
        Assert.True(parsed.Succeeded, string.Join('\n', parsed.Errors));
        return parsed.Definition!;
    }

    /// <summary>
    /// The baseline text with the single occurrence of <paramref name="find"/> replaced, and the 1-based line where
    /// the snippet starts. Fails loudly when baseline.yaml no longer holds the snippet exactly once.
    /// </summary>
    public static (string Text, int Line) EditBaseline(string find, string replace)
    {
        var text = BaselineText;
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"baseline.yaml no longer contains the snippet `{find}`: update this test's edit");
        Assert.True(text.IndexOf(find, at + 1, StringComparison.Ordinal) < 0, $"baseline.yaml contains the snippet `{find}` more than once: make the edit more specific");
        return (text.Replace(find, replace, StringComparison.Ordinal), LineOf(text, at));
    }

    /// <summary>The 1-based line of the character at <paramref name="index"/>.</summary>
    public static int LineOf(string text, int index) => 1 + text.AsSpan(0, index).Count('\n');
}
