using System.Reflection;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Batches;

/// <summary>One scenario of a batch: its position (0-based, the order given), name, resolved text and hash.</summary>
public sealed record BatchScenario(int Position, string Name, IReadOnlyList<ScenarioSource> Layers)
{
    public string Hash { get; } = ScenarioText.Hash(Layers);
}

/// <summary>
/// How many replications a batch runs: a fixed number, or rounds until every headline KPI's 95% half-width is at most
/// <see cref="Precision"/> x |mean| (at least <see cref="MinReplications"/>, at most <see cref="MaxReplications"/>).
/// </summary>
public sealed record ReplicationPolicy(int MinReplications, int MaxReplications, double? Precision)
{
    public static ReplicationPolicy Fixed(int replications) => new(replications, replications, null);

    public bool IsFixed => Precision is null;
}

/// <summary>Everything that defines a batch's numbers: scenarios (the baseline among them), master seed and replication policy.</summary>
public sealed record BatchSpec(IReadOnlyList<BatchScenario> Scenarios, int BaselinePosition, ulong Seed, ReplicationPolicy Policy, IReadOnlyList<string> Options)
{
    /// <summary>Attempts a run gets before it is marked failed: a run that throws, or whose silo dies, uses one each time.</summary>
    public const int DefaultMaxAttempts = 3;

    public BatchScenario Baseline => Scenarios[BaselinePosition];
}

/// <summary>A batch as kept in a result store.</summary>
public sealed record BatchRecord(long Id, DateTimeOffset CreatedUtc, string EngineVersion, string Status, BatchSpec Spec, int PlannedReplications, int MaxAttempts);

/// <summary>The states a batch goes through: running, then complete; interrupted when stopped early (resume finishes it).</summary>
public static class BatchStatus
{
    public const string Running = "running";
    public const string Interrupted = "interrupted";
    public const string Complete = "complete";
}

/// <summary>The version of the simulation engine that produced a result: the kernel assembly's informational version.</summary>
public static class EngineVersion
{
    public static string Current { get; } =
        typeof(ScenarioParser).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ScenarioParser).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
