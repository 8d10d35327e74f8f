using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Benchmarks;

/// <summary>Loads and compiles the bundled baseline scenario for the benchmarks.</summary>
internal static class BaselineWorld
{
    /// <summary>The baseline, optionally with a longer statistics period (a step benchmark must never reach the end).</summary>
    public static CompiledNetwork Compile(int? days = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml");
        var parsed = ScenarioParser.Parse(path, File.ReadAllText(path));
        if (!parsed.Succeeded)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, parsed.Errors));
        }

        var definition = parsed.Definition!;
        if (days is { } d)
        {
            definition = definition with { Settings = definition.Settings with { Days = d } };
        }

        var errors = new List<ScenarioError>();
        return CompiledNetwork.Compile(definition, errors) ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }
}
