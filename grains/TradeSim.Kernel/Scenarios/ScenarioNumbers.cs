using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace TradeSim.Kernel.Scenarios;

/// <summary>
/// A number of a scenario file: its 1-based line and column, the key it is the value of (or the list's key), its
/// text, whether a tag covers it, and whether the nearest tag that covers it is an `assumption:` (rather than a cited
/// source or `calibrated`).
/// </summary>
public sealed record ScenarioNumber(int Line, int Column, string Key, string Value, bool Tagged, bool Assumption);

/// <summary>
/// Finds the numbers of a scenario text and the tags that cover them, by the rule README.md states ("Scenario files",
/// "Every number carries its source"): a number is a value that begins with a digit (or `-`, `+`, `.` and a digit);
/// a tag is a comment citing a source 000-004 or FACTS, or saying `calibrated`, or `assumption:` and a reason; a line is
/// covered by its own trailing comment, its header (the comment lines directly above it at its indentation) and, as a
/// key, whatever covers its parents; a `source:` value counts as a comment on its mapping's key. The bundled-scenario
/// test holds every number to it, and `tradesim sensitivity` takes the numbers tagged `assumption:` as its inputs.
/// </summary>
public static partial class ScenarioNumbers
{
    public static IReadOnlyList<ScenarioNumber> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trailing = new Dictionary<int, string>();
        var fullLine = new Dictionary<int, (int Column, string Text)>();
        var lines = new SortedDictionary<int, (int Column, int Indent)>();
        var sources = new List<(int Line, string Value)>();
        var found = new List<(int Line, int Column, string Key, string Value)>();

        var scanner = new Scanner(new StringReader(text), skipComments: false);
        Token? previous = null;
        var key = string.Empty;
        var keyLine = 0;
        while (scanner.MoveNext())
        {
            var token = scanner.Current!;
            var line = (int)token.Start.Line;
            var column = (int)token.Start.Column;
            if (token is Comment comment)
            {
                if (comment.IsInline)
                {
                    trailing[line] = comment.Value;
                }
                else
                {
                    fullLine[line] = (column, comment.Value);
                }

                continue;
            }

            if (token is (Key or Scalar or BlockEntry or FlowMappingStart or FlowSequenceStart) && !lines.ContainsKey(line))
            {
                // A sequence entry's content sits one column in from its `-`, below the key that holds the list.
                lines[line] = (column, token is BlockEntry ? column : column - 1);
            }

            if (token is Scalar scalar)
            {
                if (previous is Key)
                {
                    key = scalar.Value;
                    keyLine = line;
                }
                else if (scalar.Style is not (ScalarStyle.Literal or ScalarStyle.Folded))
                {
                    if (key == "source" && previous is Value)
                    {
                        sources.Add((keyLine, scalar.Value));
                    }

                    if (NumberStart().IsMatch(scalar.Value))
                    {
                        found.Add((line, column, key, scalar.Value));
                    }
                }
            }

            previous = token;
        }

        int? Parent(int line)
        {
            var indent = lines[line].Indent;
            foreach (var (candidate, at) in lines.Reverse())
            {
                if (candidate < line && at.Indent < indent)
                {
                    return candidate;
                }
            }

            return null;
        }

        // A `source:` value counts as a comment on the key of the mapping that holds it.
        var cited = sources.Where(s => IsTag(s.Value)).Select(s => Parent(s.Line)).OfType<int>().ToHashSet();

        string? HeaderTag(int line)
        {
            var column = lines[line].Column;
            for (var above = line - 1; fullLine.TryGetValue(above, out var header) && header.Column == column; above--)
            {
                if (IsTag(header.Text))
                {
                    return header.Text;
                }
            }

            return null;
        }

        // The nearest tag: the line's own, then its parents' outwards; a cited `source:` is a source, never an assumption.
        string? NearestTag(int line)
        {
            for (int? at = line; at is { } l; at = Parent(l))
            {
                if (trailing.TryGetValue(l, out var comment) && IsTag(comment))
                {
                    return comment;
                }

                if (cited.Contains(l))
                {
                    return "source";
                }

                if (HeaderTag(l) is { } header)
                {
                    return header;
                }
            }

            return null;
        }

        return found.Select(n =>
        {
            var tag = NearestTag(n.Line);
            return new ScenarioNumber(n.Line, n.Column, n.Key, n.Value, tag is not null, tag is not null && AssumptionTag().IsMatch(tag));
        }).ToList();
    }

    private static bool IsTag(string comment) => Tag().IsMatch(comment);

    /// <summary>A source number 000-004 standing alone (not part of 2000 or 1.004), FACTS, calibrated, or `assumption:` and a reason.</summary>
    [GeneratedRegex(@"(?<![\w.])00[0-4](?!\d)|\bFACTS\b|(?i:\bcalibrated\b|\bassumption:\s*\S)")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?i:\bassumption:\s*\S)")]
    private static partial Regex AssumptionTag();

    [GeneratedRegex(@"^[-+]?\.?\d")]
    private static partial Regex NumberStart();
}
