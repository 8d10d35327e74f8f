using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace TradeSim.Kernel.Scenarios;

/// <summary>
/// A YAML node that remembers where it was written. The scenario layers are merged on these nodes,
/// so an error found after merging still points at the file, line and column the value came from.
/// </summary>
public abstract class YamlTreeNode
{
    protected YamlTreeNode(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    /// <summary>A short description of the node's kind, for error messages.</summary>
    public abstract string KindName { get; }
}

public sealed class YamlScalar : YamlTreeNode
{
    public YamlScalar(SourceLocation location, string value, bool isPlain) : base(location)
    {
        Value = value;
        IsPlain = isPlain;
    }

    public string Value { get; }

    /// <summary>True when the scalar was written without quotes, so `~`, `null` and an empty value mean null.</summary>
    public bool IsPlain { get; }

    public bool IsNull => IsPlain && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");

    public override string KindName => IsNull ? "null" : "a scalar";
}

public sealed class YamlSequence : YamlTreeNode
{
    public YamlSequence(SourceLocation location, List<YamlTreeNode> items) : base(location) => Items = items;

    public List<YamlTreeNode> Items { get; }

    public override string KindName => "a list";
}

public sealed class YamlMapping : YamlTreeNode
{
    public YamlMapping(SourceLocation location, List<KeyValuePair<YamlScalar, YamlTreeNode>> entries) : base(location) => Entries = entries;

    /// <summary>Entries in the order they were written; keys are unique.</summary>
    public List<KeyValuePair<YamlScalar, YamlTreeNode>> Entries { get; }

    public override string KindName => "a mapping";

    public YamlTreeNode? Get(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry.Value;
            }
        }

        return null;
    }

    public int IndexOf(string key)
    {
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i].Key.Value == key)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Reads YAML text into <see cref="YamlTreeNode"/>s, reporting syntax errors with their location.</summary>
public static class YamlTreeReader
{
    /// <summary>
    /// The deepest nesting a scenario may have. Real scenarios nest about six levels (gates, a gate, its posts, a post,
    /// its service, a commodity); the limit keeps a hostile file from exhausting the stack.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>Reads the single document of <paramref name="source"/>; returns null and adds errors when it cannot.</summary>
    public static YamlTreeNode? Read(ScenarioSource source, List<ScenarioError> errors)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(errors);
        var start = new SourceLocation(source.Name, 1, 1);
        var nul = source.Text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            errors.Add(new ScenarioError(start, $"not a text file (a NUL character at offset {nul}): expected a YAML scenario"));
            return null;
        }

        if (string.IsNullOrWhiteSpace(source.Text))
        {
            errors.Add(new ScenarioError(start, "the file is empty: expected a YAML mapping with at least `name:`"));
            return null;
        }

        Parser? parser = null;
        try
        {
            parser = new Parser(new StringReader(source.Text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new ScenarioError(start, "the file holds only comments: expected a YAML mapping with at least `name:`"));
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, source.Name, errors, 1);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var extra))
            {
                errors.Add(new ScenarioError(At(source.Name, extra.Start), "a second YAML document: expected one scenario per file"));
                return null;
            }

            return root;
        }
        catch (YamlException e) when (e.Message.Contains(" tab ", StringComparison.Ordinal) && IndentingTab(source) is { } tab)
        {
            // YamlDotNet reports a tab in the indentation where the scalar before it began, often lines earlier.
            errors.Add(new ScenarioError(tab, "YAML syntax error: a tab in the indentation: expected spaces (YAML indents with spaces only)"));
            return null;
        }
        catch (YamlException e)
        {
            errors.Add(new ScenarioError(At(source.Name, e.Start), "YAML syntax error: " + Describe(e)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) for some unterminated flow collections, such as
            // an unclosed `[` followed by more lines. Report it at the last token the parser accepted.
            var mark = parser?.Current?.Start ?? Mark.Empty;
            errors.Add(new ScenarioError(At(source.Name, mark), "YAML syntax error: an unterminated `[` or `{` near here: expected the closing bracket on the same value"));
            return null;
        }
    }

    /// <summary>Where the first tab in a line's leading whitespace is, if any.</summary>
    private static SourceLocation? IndentingTab(ScenarioSource source)
    {
        var line = 1;
        foreach (var text in source.Text.Split('\n'))
        {
            var indent = text.Length - text.TrimStart(' ', '\t').Length;
            var tab = text.IndexOf('\t', 0, indent);
            if (tab >= 0)
            {
                return new SourceLocation(source.Name, line, tab + 1);
            }

            line++;
        }

        return null;
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes its messages with "(Line: x, Col: y, Idx: z) - (...): "; the location is reported separately.
        var message = e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && marker >= 0)
        {
            message = message[(marker + 3)..];
        }

        return message.TrimEnd('.') + ".";
    }

    private static SourceLocation At(string source, Mark mark) =>
        new(source, (int)Math.Min(mark.Line, int.MaxValue), (int)Math.Min(mark.Column, int.MaxValue));

    private static YamlTreeNode ReadNode(IParser parser, string source, List<ScenarioError> errors, int depth)
    {
        if (depth > MaxDepth && parser.Current is { } deep)
        {
            throw new YamlException(deep.Start, deep.End, $"nested deeper than {MaxDepth} levels: a scenario nests only a few");
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            if (!scalar.Anchor.IsEmpty)
            {
                throw new YamlException(scalar.Start, scalar.End, "anchors and aliases are not supported in scenario files; write the value out");
            }

            return new YamlScalar(At(source, scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
        }

        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlTreeNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, source, errors, depth + 1));
            }

            return new YamlSequence(At(source, sequenceStart.Start), items);
        }

        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            var entries = new List<KeyValuePair<YamlScalar, YamlTreeNode>>();
            var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, source, errors, depth + 1);
                var value = ReadNode(parser, source, errors, depth + 1);
                if (keyNode is not YamlScalar key)
                {
                    errors.Add(new ScenarioError(keyNode.Location, $"a key must be a plain name, found {keyNode.KindName}"));
                    continue;
                }

                if (seen.TryGetValue(key.Value, out var first))
                {
                    errors.Add(new ScenarioError(key.Location, $"duplicate key '{key.Value}' (first defined at line {first.Line.ToString(CultureInfo.InvariantCulture)}): expected each id once"));
                    continue;
                }

                seen.Add(key.Value, key.Location);
                entries.Add(new KeyValuePair<YamlScalar, YamlTreeNode>(key, value));
            }

            return new YamlMapping(At(source, mappingStart.Start), entries);
        }

        if (parser.Current is AnchorAlias alias)
        {
            throw new YamlException(alias.Start, alias.End, "anchors and aliases are not supported in scenario files; write the value out");
        }

        var current = parser.Current;
        throw new YamlException(current?.Start ?? Mark.Empty, current?.End ?? Mark.Empty, "unexpected YAML content");
    }
}

/// <summary>Merges scenario layers: a later layer's mapping keys override, recursively; lists and scalars replace; `null` removes.</summary>
public static class YamlTreeMerger
{
    public static YamlTreeNode Merge(YamlTreeNode lower, YamlTreeNode upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower is not YamlMapping lowerMap || upper is not YamlMapping upperMap)
        {
            return upper;
        }

        // Linear in the keys of both layers: a key's position is looked up in a dictionary, and keys removed by the
        // upper layer (`key: ~`) are dropped in one pass at the end. Order: the lower layer's keys, then new ones.
        var entries = new List<KeyValuePair<YamlScalar, YamlTreeNode>?>(lowerMap.Entries.Count + upperMap.Entries.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in lowerMap.Entries)
        {
            positions.TryAdd(entry.Key.Value, entries.Count);
            entries.Add(entry);
        }

        foreach (var (key, value) in upperMap.Entries)
        {
            var found = positions.TryGetValue(key.Value, out var index) && entries[index] is not null;
            if (value is YamlScalar { IsNull: true })
            {
                if (found)
                {
                    entries[index] = null;
                }

                continue;
            }

            if (found)
            {
                var existing = entries[index]!.Value;
                entries[index] = new KeyValuePair<YamlScalar, YamlTreeNode>(existing.Key, Merge(existing.Value, value));
            }
            else
            {
                positions[key.Value] = entries.Count;
                entries.Add(new KeyValuePair<YamlScalar, YamlTreeNode>(key, value));
            }
        }

        return new YamlMapping(upperMap.Location, [.. entries.Where(e => e is not null).Select(e => e!.Value)]);
    }
}
