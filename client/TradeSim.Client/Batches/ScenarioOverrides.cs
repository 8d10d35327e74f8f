using System.Globalization;
using System.Text;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Batches;

/// <summary>
/// One value changed from the command line (`--set gates.nam-giang.vn.lanes=4`, or one value of a `--sweep`). It
/// becomes one more scenario layer on top of the files, so it is merged like a what-if file, validated by the same
/// parser, and kept in the resolved text and hash of every run that uses it.
/// </summary>
internal sealed record ScenarioOverride(string Option, string Path, string Value)
{
    /// <summary>The layer's name, also how its problems are reported: `--set PATH=VALUE`.</summary>
    public string LayerName => $"{Option} {Path}={Value}";

    public ScenarioSource ToLayer()
    {
        var segments = Path.Split('.');
        var text = new StringBuilder();
        for (var i = 0; i < segments.Length; i++)
        {
            text.Append(' ', 2 * i).Append(segments[i]).Append(':');
            text.Append(i == segments.Length - 1 ? " " + Value + "\n" : "\n");
        }

        return new ScenarioSource(LayerName, text.ToString());
    }
}

/// <summary>Parses `--set` and `--sweep` arguments and checks their paths against the scenario they change.</summary>
internal static class ScenarioOverrides
{
    /// <summary>The most scenarios one `--sweep` may expand into.</summary>
    public const int MaxSweepValues = 1000;

    public static ScenarioOverride? ParseSet(string argument, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(errors);
        if (!SplitAssignment("--set", argument, errors, out var path, out var value))
        {
            return null;
        }

        if (value.Length == 0 || value is "~" or "null" or "Null" or "NULL" || value.StartsWith('#'))
        {
            errors.Add($"--set {argument}: expected a value after '=', e.g. --set gates.nam-giang.vn.lanes=4");
            return null;
        }

        return new ScenarioOverride("--set", path, value);
    }

    /// <summary>Expands `PATH=A..B[:STEP]` into one override per value, A to B inclusive.</summary>
    public static IReadOnlyList<ScenarioOverride>? ParseSweep(string argument, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(errors);
        if (!SplitAssignment("--sweep", argument, errors, out var path, out var range))
        {
            return null;
        }

        var expected = "expected PATH=A..B or PATH=A..B:STEP with numbers, e.g. --sweep gates.nam-giang.vn.lanes=1..4";
        var dots = range.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0)
        {
            errors.Add($"--sweep {argument}: no range: {expected}");
            return null;
        }

        var from = range[..dots];
        var rest = range[(dots + 2)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var to = colon < 0 ? rest : rest[..colon];
        var step = colon < 0 ? "1" : rest[(colon + 1)..];
        if (!TryNumber(from, out var a) || !TryNumber(to, out var b) || !TryNumber(step, out var s))
        {
            errors.Add($"--sweep {argument}: '{range}' is not a numeric range: {expected}");
            return null;
        }

        if (s <= 0 || b < a)
        {
            errors.Add($"--sweep {argument}: expected A <= B and a STEP above 0, got {from}..{to}:{step}");
            return null;
        }

        // Decimal arithmetic: 0.1 steps land exactly on 0.3, and each value prints with the inputs' decimals.
        decimal count;
        try
        {
            count = decimal.Floor((b - a) / s) + 1;
        }
        catch (OverflowException)
        {
            count = decimal.MaxValue;
        }

        if (count > MaxSweepValues)
        {
            errors.Add($"--sweep {argument}: {(count == decimal.MaxValue ? "too many" : count.ToString(CultureInfo.InvariantCulture))} values: expected at most {MaxSweepValues}");
            return null;
        }

        var decimals = Math.Max(a.Scale, Math.Max(b.Scale, s.Scale));
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return Enumerable.Range(0, (int)count)
            .Select(i => new ScenarioOverride("--sweep", path, (a + (i * s)).ToString(format, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>
    /// Checks that every segment of the override's path but the last names an existing key of the scenario the layers
    /// resolve to (the last may be new: the parser then accepts or rejects it). Returns the problem, or null.
    /// </summary>
    public static string? CheckPath(IReadOnlyList<ScenarioSource> layers, ScenarioOverride change)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(change);
        var segments = change.Path.Split('.');
        var node = Merged(layers);
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var at = i == 0 ? "the top level" : "'" + string.Join('.', segments[..i]) + "'";
            if (node is not YamlMapping map)
            {
                return $"{change.LayerName}: {at} is {node?.KindName ?? "empty"}, not a mapping: expected a path of keys";
            }

            node = map.Get(segments[i]);
            if (node is null)
            {
                var keys = map.Entries.Select(e => e.Key.Value).Where(k => k != "extends").ToList();
                return $"{change.LayerName}: unknown path: {at} has no key '{segments[i]}': expected one of {string.Join(", ", keys)}";
            }
        }

        if (node is not YamlMapping)
        {
            return $"{change.LayerName}: '{string.Join('.', segments[..^1])}' is {node?.KindName ?? "empty"}, not a mapping: expected a path of keys";
        }

        return null;
    }

    /// <summary>The layers' YAML merged as the parser merges them (a layer that does not read is left out).</summary>
    public static YamlTreeNode? Merged(IReadOnlyList<ScenarioSource> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        YamlTreeNode? merged = null;
        var errors = new List<ScenarioError>();
        foreach (var layer in layers)
        {
            if (YamlTreeReader.Read(layer, errors) is { } root)
            {
                merged = merged is null ? root : YamlTreeMerger.Merge(merged, root);
            }
        }

        return merged;
    }

    private static bool SplitAssignment(string option, string argument, List<string> errors, out string path, out string value)
    {
        path = value = string.Empty;
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            errors.Add($"{option} {argument}: expected PATH=VALUE, e.g. {option} gates.nam-giang.vn.lanes=4");
            return false;
        }

        path = argument[..equals].Trim();
        value = argument[(equals + 1)..].Trim();
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            errors.Add($"{option} {argument}: the value holds a line break: expected one line");
            return false;
        }

        foreach (var segment in path.Split('.'))
        {
            if (segment.Length == 0 || !segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                errors.Add($"{option} {argument}: bad path '{path}': expected keys of letters, digits, '-' and '_' joined by dots, e.g. gates.nam-giang.vn.lanes");
                return false;
            }
        }

        // Overrides change the scenario's values; its file chain is not one (an `extends` set here would be stored
        // with the batch and never read).
        if (path.Split('.', 2)[0] == "extends")
        {
            errors.Add($"{option} {argument}: 'extends' is not a scenario value: expected a path into name, settings, gates, roads, carriers, flows, ...");
            return false;
        }

        return true;
    }

    /// <summary>A decimal number (exponents allowed, e.g. 1e-3); values beyond decimal's range (about 7.9e28) are refused.</summary>
    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
