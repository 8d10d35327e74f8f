namespace TradeSim.Kernel.Scenarios;

/// <summary>Where a piece of scenario text came from: a source name (usually a file path), a 1-based line and column.</summary>
public readonly record struct SourceLocation(string Source, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}

/// <summary>One problem found in scenario text, located so that a person can go straight to it.</summary>
public sealed record ScenarioError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>One layer of scenario text: a file's name and its content. Later layers override earlier ones.</summary>
public sealed record ScenarioSource(string Name, string Text)
{
    /// <summary>
    /// The name prefix of a layer that changes an assumption about the world rather than making a what-if: the layers
    /// `tradesim sensitivity` writes (`--input PATH=VALUE`). Directly above the first layer, such a layer is part of the
    /// reference the trade responds against: the stated volumes are observed ones, and they hold whichever value of an
    /// assumed number is the true one.
    /// </summary>
    public const string AssumptionLayerPrefix = "--input ";

    /// <summary>The name prefix of a layer `tradesim calibrate` writes with a fitted value (`--fit PATH=VALUE`): a fact
    /// of the world as the assumption layers are.</summary>
    public const string FittedLayerPrefix = "--fit ";

    public bool IsAssumption => Name.StartsWith(AssumptionLayerPrefix, StringComparison.Ordinal) || Name.StartsWith(FittedLayerPrefix, StringComparison.Ordinal);
}
