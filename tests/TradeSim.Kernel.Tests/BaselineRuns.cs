using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Loads and compiles the bundled scenarios, and caches the baseline run (seed 1, replication 0, one thread) that
/// several test classes read, so the whole-year simulation is run once per test process rather than once per test.
/// </summary>
internal static class BaselineRuns
{
    private static readonly Lazy<ScenarioDefinition> _baselineDefinition = new(() => LoadDefinition("baseline.yaml"));

    private static readonly Lazy<RunResult> _baselineSeed1 = new(() => Run(BaselineDefinition, seed: 1, replication: 0));

    /// <summary>The parsed baseline scenario (shared; records are immutable, edit with <c>with</c>).</summary>
    public static ScenarioDefinition BaselineDefinition => _baselineDefinition.Value;

    /// <summary>
    /// The baseline with Po To - Cua Cai and Gia Khau - Seo Co San operating (in 2023 they were not; 004 asks to
    /// restore them): two crossing points side by side that share the Lai Chau flows, for tests of route choice and
    /// closures between close alternatives. Si Choang stays suspended.
    /// </summary>
    public static ScenarioDefinition WithCrossingPointsRestored =>
        BaselineDefinition with { Gates = [.. BaselineDefinition.Gates.Select(g => g.Id is "po-to" or "gia-khau" ? g with { Closures = [] } : g)] };

    /// <summary>The baseline run with seed 1, replication 0, one thread.</summary>
    public static RunResult BaselineSeed1 => _baselineSeed1.Value;

    /// <summary>The bundled scenarios as the tests' build copies them.</summary>
    public static string ScenarioDirectory => Path.Combine(AppContext.BaseDirectory, "scenarios");

    /// <summary>Every bundled scenario's file name, in ordinal order: the rows of a theory over them.</summary>
    public static TheoryData<string> BundledScenarioFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(ScenarioDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    public static ScenarioDefinition LoadDefinition(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "scenarios", fileName);
        var result = ScenarioParser.Parse(fileName, File.ReadAllText(path));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        return result.Definition!;
    }

    /// <summary>A bundled what-if over the baseline, with <paramref name="layers"/> (YAML texts) merged over it.</summary>
    public static ScenarioDefinition LoadWhatIf(string fileName, params string[] layers)
    {
        ScenarioSource Bundled(string name) => new(name, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "scenarios", name)));
        var result = ScenarioParser.Parse([Bundled("baseline.yaml"), Bundled(fileName), .. layers.Select((text, i) => new ScenarioSource($"layer{i}.yaml", text))]);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        return result.Definition!;
    }

    public static CompiledNetwork Compile(ScenarioDefinition definition)
    {
        var errors = new List<ScenarioError>();
        var network = CompiledNetwork.Compile(definition, errors);
        Assert.True(network is not null && errors.Count == 0, string.Join(Environment.NewLine, errors));
        return network!;
    }

    public static RunResult Run(ScenarioDefinition definition, ulong seed, int replication, int threads = 1) =>
        new Simulation(Compile(definition), seed, replication, threads).Run();

    /// <summary>The definition with one gate replaced by <paramref name="edit"/> of it.</summary>
    public static ScenarioDefinition WithGate(ScenarioDefinition definition, string gateId, Func<GateDefinition, GateDefinition> edit)
    {
        Assert.Contains(definition.Gates, g => g.Id == gateId);
        return definition with { Gates = definition.Gates.Select(g => g.Id == gateId ? edit(g) : g).ToList() };
    }

    public static GateResult Gate(RunResult result, string gateId) => Assert.Single(result.Gates, g => g.Id == gateId);
}
