using System.Text.RegularExpressions;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// `at: [latitude, longitude]` on nodes and gates: every bundled scenario places its whole network in the region, a
/// malformed or impossible position is refused where it is written, a layer can move a gate, and `at` stays optional.
/// </summary>
public sealed partial class ScenarioCoordinatesTests
{
    private const string NamGiangAt = "at: [15.54, 107.37]";

    public static TheoryData<string> BundledScenarioFiles() => BaselineRuns.BundledScenarioFiles();

    [Theory]
    [MemberData(nameof(BundledScenarioFiles))]
    public void BundledScenario_PlacesEveryNodeAndGateInVietNamLaosAndSouthernChina(string fileName)
    {
        var definition = ParseBundled(fileName);

        Assert.NotEmpty(definition.Nodes);
        Assert.NotEmpty(definition.Gates);
        var places = definition.Nodes.Select(n => ($"node '{n.Id}'", n.Coordinates))
            .Concat(definition.Gates.Select(g => ($"gate '{g.Id}'", g.Coordinates)));
        foreach (var (what, at) in places)
        {
            Assert.True(at is not null, $"{fileName}: {what} has no `at:`");
            Assert.True(at.Latitude is >= 8 and <= 27 && at.Longitude is >= 100 and <= 110, $"{fileName}: {what} at [{at.Latitude}, {at.Longitude}] is outside lat 8-27, lon 100-110");
        }
    }

    [Theory]
    [MemberData(nameof(BundledScenarioFiles))]
    public void BundledScenario_NoRoadIsShorterThanTheStraightLineBetweenItsEnds(string fileName)
    {
        // A check that the positions agree with the network: a road is at least as long as the great-circle distance
        // between its ends, less 10% for positions that are good to about 0.1 degree.
        var definition = ParseBundled(fileName);
        var at = definition.Nodes.ToDictionary(n => n.Id, n => n.Coordinates!);
        foreach (var gate in definition.Gates)
        {
            foreach (var post in gate.Posts)
            {
                at[gate.Id + "." + post.Country] = gate.Coordinates!;
            }
        }

        Assert.NotEmpty(definition.Roads);
        foreach (var road in definition.Roads)
        {
            var straight = Kilometres(at[road.From], at[road.To]);
            Assert.True(road.Km >= 0.9 * straight, $"{fileName}: road '{road.Id}' is {road.Km} km but its ends are {straight:F0} km apart");
        }
    }

    [Fact]
    public void Baseline_NamGiang_IsAtTheGateOnQl14D()
    {
        var gate = Assert.Single(BaselineRuns.BaselineDefinition.Gates, g => g.Id == "nam-giang");

        Assert.Equal(new GeoPoint(15.54, 107.37), gate.Coordinates);
    }

    [Fact]
    public void GateLatitudeOutOfRange_IsRefusedAtItsLineWithTheRange()
    {
        var (text, line) = EditBaseline(NamGiangAt, "at: [95.54, 107.37]");

        var result = ScenarioParser.Parse("baseline.yaml", text);

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new SourceLocation("baseline.yaml", line, 10), error.Location);
        Assert.Equal($"baseline.yaml:{line}:10: gate 'nam-giang' at: latitude is 95.54: expected a number from -90 to 90", error.ToString());
    }

    [Theory]
    [InlineData("at: [15.54, 187.37]", 17, "gate 'nam-giang' at: longitude is 187.37: expected a number from -180 to 180")]
    [InlineData("at: [north, 107.37]", 10, "gate 'nam-giang' at: latitude is 'north': expected a number from -90 to 90")]
    [InlineData("at: [15.54, .nan]", 17, "gate 'nam-giang' at: longitude is '.nan': expected a number from -180 to 180")]
    [InlineData("at: [15]", 9, "gate 'nam-giang' at: expected `[latitude, longitude]`, two numbers in degrees (latitude from -90 to 90, longitude from -180 to 180), found a list of 1 value(s)")]
    [InlineData("at: [15.54, 107.37, 0]", 9, "found a list of 3 value(s)")]
    [InlineData("at: 15.54", 9, "gate 'nam-giang' at: expected `[latitude, longitude]`, two numbers in degrees (latitude from -90 to 90, longitude from -180 to 180), found a scalar")]
    [InlineData("at: { lat: 15.54, lon: 107.37 }", 9, "found a mapping")]
    public void MalformedGatePosition_IsRefusedAtItsLineAndColumn(string replace, int column, string fragment)
    {
        var (text, line) = EditBaseline(NamGiangAt, replace);

        var result = ScenarioParser.Parse("baseline.yaml", text);

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new SourceLocation("baseline.yaml", line, column), error.Location);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeLongitudeOutOfRange_IsRefusedAtItsLine()
    {
        var (text, line) = EditBaseline("at: [14.81, 106.83]", "at: [14.81, -206.83]");

        var result = ScenarioParser.Parse("baseline.yaml", text);

        var error = Assert.Single(result.Errors);
        Assert.Equal(line, error.Location.Line);
        Assert.Equal("node 'attapeu' at: longitude is -206.83: expected a number from -180 to 180", error.Message);
    }

    [Fact]
    public void OverrideLayer_MovesOneGate_AndLeavesTheOthersWhereTheBaseHasThem()
    {
        var layers = new[]
        {
            new ScenarioSource("baseline.yaml", ReadBundled("baseline.yaml")),
            new ScenarioSource("moved.yaml", "extends: baseline.yaml\nname: moved\ngates:\n  nam-giang:\n    at: [15.6, 107.4]\n"),
        };

        var result = ScenarioParser.Parse(layers);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        var gates = result.Definition!.Gates.ToDictionary(g => g.Id);
        Assert.Equal(new GeoPoint(15.6, 107.4), gates["nam-giang"].Coordinates);
        Assert.Equal(2, gates["nam-giang"].Posts.Count);
        foreach (var gate in BaselineRuns.BaselineDefinition.Gates.Where(g => g.Id != "nam-giang"))
        {
            Assert.Equal(gate.Coordinates, gates[gate.Id].Coordinates);
        }
    }

    [Fact]
    public void OverrideLayer_CanRemoveAPosition_AndItsErrorsPointIntoTheLayer()
    {
        var baseline = new ScenarioSource("baseline.yaml", ReadBundled("baseline.yaml"));

        var removed = ScenarioParser.Parse([baseline, new ScenarioSource("removed.yaml", "name: removed\ngates:\n  bo-y:\n    at: ~\n")]);
        var broken = ScenarioParser.Parse([baseline, new ScenarioSource("broken.yaml", "name: broken\ngates:\n  bo-y:\n    at: [14.71]\n")]);

        Assert.True(removed.Succeeded, string.Join(Environment.NewLine, removed.Errors));
        Assert.Null(Assert.Single(removed.Definition!.Gates, g => g.Id == "bo-y").Coordinates);
        Assert.NotNull(Assert.Single(removed.Definition!.Gates, g => g.Id == "nam-giang").Coordinates);
        var error = Assert.Single(broken.Errors);
        Assert.StartsWith("broken.yaml:4:9: gate 'bo-y' at: expected `[latitude, longitude]`", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ScenarioWithoutAt_StillParses_WithNoCoordinates()
    {
        var baseline = ReadBundled("baseline.yaml");
        var withoutAt = FlowAt().Replace(BlockAt().Replace(baseline, string.Empty), string.Empty);
        Assert.Matches(AnyAt(), baseline);
        Assert.DoesNotMatch(AnyAt(), withoutAt);

        var result = ScenarioParser.Parse("no-positions.yaml", withoutAt);

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(BaselineRuns.BaselineDefinition.Nodes.Count, result.Definition!.Nodes.Count);
        Assert.Equal(BaselineRuns.BaselineDefinition.Gates.Count, result.Definition.Gates.Count);
        Assert.All(result.Definition.Nodes, n => Assert.Null(n.Coordinates));
        Assert.All(result.Definition.Gates, g => Assert.Null(g.Coordinates));
    }

    private static string ScenarioDirectory => BaselineRuns.ScenarioDirectory;

    private static string ReadBundled(string fileName) => File.ReadAllText(Path.Combine(ScenarioDirectory, fileName));

    /// <summary>A bundled scenario with the file it extends (one level: every what-if extends the baseline) under it.</summary>
    private static ScenarioDefinition ParseBundled(string fileName)
    {
        var text = ReadBundled(fileName);
        var layers = new List<ScenarioSource>();
        if (Extends().Match(text) is { Success: true } extends)
        {
            var baseName = extends.Groups[1].Value;
            var baseText = ReadBundled(baseName);
            Assert.False(Extends().IsMatch(baseText), $"{baseName} extends another file: load the whole chain here");
            layers.Add(new ScenarioSource(baseName, baseText));
        }

        layers.Add(new ScenarioSource(fileName, text));
        var result = ScenarioParser.Parse(layers);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Errors));
        return result.Definition!;
    }

    /// <summary>The baseline text with the one occurrence of <paramref name="find"/> replaced, and the 1-based line it is on.</summary>
    private static (string Text, int Line) EditBaseline(string find, string replace)
    {
        var text = ReadBundled("baseline.yaml");
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0 && text.IndexOf(find, at + 1, StringComparison.Ordinal) < 0, $"baseline.yaml holds `{find}` other than once: update this test's edit");
        return (text.Replace(find, replace, StringComparison.Ordinal), 1 + text.AsSpan(0, at).Count('\n'));
    }

    /// <summary>Great-circle distance on a sphere of the Earth's mean radius.</summary>
    private static double Kilometres(GeoPoint a, GeoPoint b)
    {
        const double EarthRadiusKm = 6371.0;
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(b.Latitude - a.Latitude);
        var dLon = Radians(b.Longitude - a.Longitude);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Radians(a.Latitude)) * Math.Cos(Radians(b.Latitude)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(h));
    }

    [GeneratedRegex(@"^extends:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex Extends();

    /// <summary>A gate's `at:` line, comment and all.</summary>
    [GeneratedRegex(@"^ +at: \[[^\]]*\][^\n]*\n", RegexOptions.Multiline)]
    private static partial Regex BlockAt();

    /// <summary>An `at:` key, in a block or a flow mapping (not in a comment).</summary>
    [GeneratedRegex(@"^ +at:|[{,] at:", RegexOptions.Multiline)]
    private static partial Regex AnyAt();

    /// <summary>A node's `, at: [...]` inside its flow mapping.</summary>
    [GeneratedRegex(@", at: \[[^\]]*\]")]
    private static partial Regex FlowAt();
}
