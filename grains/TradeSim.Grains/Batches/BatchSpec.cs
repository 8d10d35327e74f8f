using System.Reflection;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Batches;

/// <summary>One scenario of a batch: its position (0-based, the order given), name, resolved text and hash.</summary>
public sealed record BatchScenario(int Position, string Name, IReadOnlyList<ScenarioSource> Layers)
{
    private ScenarioEntities? _entities;

    public string Hash { get; } = ScenarioText.Hash(Layers);

    /// <summary>
    /// Its gates, nodes, flows and window: as stored with the batch, or taken from the text when the batch is created
    /// (or was stored before the store kept them).
    /// </summary>
    public ScenarioEntities Entities
    {
        get => _entities ??= ScenarioEntities.Of(Layers);
        init => _entities = value;
    }

    /// <summary>Two scenarios are the same when their position, name and resolved text are.</summary>
    public bool Equals(BatchScenario? other) => other is not null && Position == other.Position && Name == other.Name && Hash == other.Hash;

    public override int GetHashCode() => HashCode.Combine(Position, Name, Hash);
}

/// <summary>
/// How many replications a batch runs: a fixed number, or rounds until every judged KPI's 95% half-width is at most
/// <see cref="Precision"/> x |mean| or <see cref="AbsoluteTolerance"/> (at least <see cref="MinReplications"/>, at
/// most <see cref="MaxReplications"/>). The judged KPIs are those <see cref="PrecisionKpis"/> choose
/// (<see cref="KpiPattern"/>), by default the headline KPIs of entities with material traffic.
/// </summary>
public sealed record ReplicationPolicy(int MinReplications, int MaxReplications, double? Precision)
{
    /// <summary>Glob patterns of the KPIs `--precision` judges; empty for the headline KPIs.</summary>
    public IReadOnlyList<string> PrecisionKpis { get; init; } = [];

    /// <summary>A half-width this small (in the KPI's own unit) is precise enough whatever the mean; 0 for none.</summary>
    public double AbsoluteTolerance { get; init; }

    public static ReplicationPolicy Fixed(int replications) => new(replications, replications, null);

    public bool IsFixed => Precision is null;

    public bool Equals(ReplicationPolicy? other) =>
        other is not null
        && MinReplications == other.MinReplications
        && MaxReplications == other.MaxReplications
        && Precision == other.Precision
        && AbsoluteTolerance.Equals(other.AbsoluteTolerance)
        && PrecisionKpis.SequenceEqual(other.PrecisionKpis, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(MinReplications, MaxReplications, Precision, AbsoluteTolerance, PrecisionKpis.Count);
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
