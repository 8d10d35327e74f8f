using System.Globalization;

namespace TradeSim.Grains.Abstractions;

/// <summary>
/// One run of a batch: the batch, the scenario's position in it and the replication index. A run is fully determined
/// by its batch's stored inputs and this key, so it gives the same result wherever and however often it executes.
/// </summary>
[GenerateSerializer]
[Alias("TradeSim.RunKey")]
public readonly record struct RunKey([property: Id(0)] long Batch, [property: Id(1)] int Position, [property: Id(2)] int Replication)
{
    /// <summary>The key of the run's grain: `batch/position/replication`.</summary>
    public string GrainKey => string.Create(CultureInfo.InvariantCulture, $"{Batch}/{Position}/{Replication}");

    /// <summary>Reads a <see cref="GrainKey"/> back.</summary>
    public static RunKey Parse(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        var parts = grainKey.Split('/');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var batch)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var replication))
        {
            throw new FormatException($"run grain key '{grainKey}': expected batch/position/replication");
        }

        return new RunKey(batch, position, replication);
    }

    public override string ToString() => GrainKey;
}
