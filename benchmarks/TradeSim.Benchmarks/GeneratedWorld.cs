using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Benchmarks;

/// <summary>Generated worlds for the scale suites: a province (fleet) per 1,000 trucks and a gate per 5,000.</summary>
internal static class GeneratedWorld
{
    public static CompiledNetwork Compile(int trucks, int days = 3660)
    {
        var size = new WorldSize(Math.Max(2, trucks / 5000), Math.Max(1, trucks / 1000), trucks, 1, days);
        var text = WorldGenerator.Generate(size);
        var parsed = ScenarioParser.Parse("generated.yaml", text);
        if (!parsed.Succeeded)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, parsed.Errors));
        }

        var errors = new List<ScenarioError>();
        return CompiledNetwork.Compile(parsed.Definition!, errors) ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }
}
