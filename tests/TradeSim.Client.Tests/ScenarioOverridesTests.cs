using TradeSim.Client.Batches;
using TradeSim.Client.Scenarios;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Tests;

/// <summary>`--set PATH=VALUE` and `--sweep PATH=A..B[:STEP]`: parsing, the scenario layer they become, and path checks.</summary>
public sealed class ScenarioOverridesTests
{
    private static ScenarioSource BaselineLayer() => new("baseline.yaml", Scenarios.BaselineText);

    private static PostDefinition Post(ScenarioDefinition d, string gate, string country) =>
        Assert.Single(Assert.Single(d.Gates, g => g.Id == gate).Posts, p => p.Country == country);

    [Fact]
    public void ParseSet_PathAndValue_ReturnsOverride()
    {
        var errors = new List<string>();

        var set = ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=4", errors);

        Assert.Empty(errors);
        Assert.NotNull(set);
        Assert.Equal("--set", set.Option);
        Assert.Equal("gates.nam-giang.vn.lanes", set.Path);
        Assert.Equal("4", set.Value);
        Assert.Equal("--set gates.nam-giang.vn.lanes=4", set.LayerName);
    }

    [Fact]
    public void ParseSet_SpacesAroundPathAndValue_Trimmed()
    {
        var errors = new List<string>();

        var set = ScenarioOverrides.ParseSet("  settings.days = 30  ", errors);

        Assert.Empty(errors);
        Assert.Equal("settings.days", set!.Path);
        Assert.Equal("30", set.Value);
    }

    [Fact]
    public void ParseSet_ValueHoldsEqualsSign_SplitsAtTheFirst()
    {
        var errors = new List<string>();

        var set = ScenarioOverrides.ParseSet("gates.nam-giang.name=a=b", errors);

        Assert.Empty(errors);
        Assert.Equal("gates.nam-giang.name", set!.Path);
        Assert.Equal("a=b", set.Value);
    }

    [Theory]
    [InlineData("gates.nam-giang.vn.lanes", "expected PATH=VALUE")]
    [InlineData("=4", "expected PATH=VALUE")]
    [InlineData("", "expected PATH=VALUE")]
    [InlineData("gates.nam-giang.vn.lanes=", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=   ", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=null", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=Null", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=NULL", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=~", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=# four", "expected a value after '='")]
    [InlineData("gates.nam-giang.vn.lanes=4\n5", "line break")]
    [InlineData("gates.nam-giang.vn.lanes=4\r5", "line break")]
    [InlineData("gates.nam giang.vn.lanes=4", "bad path 'gates.nam giang.vn.lanes'")]
    [InlineData("gates..vn.lanes=4", "bad path 'gates..vn.lanes'")]
    [InlineData(".gates.lanes=4", "bad path")]
    [InlineData("gates.nam-giang.vn.lanes.=4", "bad path")]
    [InlineData("gates.nam-giang.vn.lane$=4", "bad path")]
    [InlineData("gates.nam-giang.vn.lanes:=4", "bad path")]
    [InlineData("gates.nam-\ngiang.vn.lanes=4", "bad path")]
    [InlineData("gates.nam-giang.vn.làn=4", "bad path")]
    public void ParseSet_BadArgument_NullWithOneError(string argument, string expected)
    {
        var errors = new List<string>();

        var set = ScenarioOverrides.ParseSet(argument, errors);

        Assert.Null(set);
        var error = Assert.Single(errors);
        Assert.StartsWith("--set ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSweep_IntegerRange_OneOverridePerValue()
    {
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("gates.nam-giang.vn.lanes=1..4", errors);

        Assert.Empty(errors);
        Assert.NotNull(sweep);
        Assert.Equal(["1", "2", "3", "4"], sweep.Select(s => s.Value));
        Assert.All(sweep, s =>
        {
            Assert.Equal("--sweep", s.Option);
            Assert.Equal("gates.nam-giang.vn.lanes", s.Path);
        });
        Assert.Equal("--sweep gates.nam-giang.vn.lanes=3", sweep[2].LayerName);
    }

    [Fact]
    public void ParseSweep_FractionalStep_ValuesWithTheMostDecimalsGiven()
    {
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("gates.nam-giang.fee_usd=0.5..1.5:0.25", errors);

        Assert.Empty(errors);
        Assert.Equal(["0.50", "0.75", "1.00", "1.25", "1.50"], sweep!.Select(s => s.Value));
    }

    [Fact]
    public void ParseSweep_StepThatDoesNotDivideTheRange_StopsAtOrBelowB()
    {
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("settings.days=10..20:4", errors);

        Assert.Empty(errors);
        Assert.Equal(["10", "14", "18"], sweep!.Select(s => s.Value));
    }

    [Fact]
    public void ParseSweep_TenthsAccumulatingRoundingError_IncludesTheEndAndPrintsCleanly()
    {
        // (0.3 - 0) / 0.1 = 2.9999999999999996 in doubles: the end must still be included, and 3 * 0.1 printed as 0.3.
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("gates.nam-giang.fee_usd=0..0.3:0.1", errors);

        Assert.Empty(errors);
        Assert.Equal(["0.0", "0.1", "0.2", "0.3"], sweep!.Select(s => s.Value));
    }

    [Fact]
    public void ParseSweep_SingleValueRangeAndNegatives_Accepted()
    {
        var errors = new List<string>();

        Assert.Equal(["3"], ScenarioOverrides.ParseSweep("settings.days=3..3", errors)!.Select(s => s.Value));
        Assert.Equal(["-1.0", "-0.5", "0.0", "0.5", "1.0"], ScenarioOverrides.ParseSweep("a.b=-1.0..1:0.5", errors)!.Select(s => s.Value));
        Assert.Empty(errors);
    }

    [Fact]
    public void ParseSweep_ExactlyTheMaximum_Accepted()
    {
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("settings.days=1..1000", errors);

        Assert.Empty(errors);
        Assert.Equal(ScenarioOverrides.MaxSweepValues, sweep!.Count);
        Assert.Equal("1000", sweep[^1].Value);
    }

    [Theory]
    [InlineData("settings.days=1..1001", "1001 values: expected at most 1000")]
    [InlineData("settings.days=0..1:0.0001", "10001 values: expected at most 1000")]
    [InlineData("settings.days=0..1e18", "1000000000000000001 values: expected at most 1000")]
    [InlineData("settings.days=4..1", "expected A <= B and a STEP above 0, got 4..1:1")]
    [InlineData("settings.days=1..4:0", "expected A <= B and a STEP above 0, got 1..4:0")]
    [InlineData("settings.days=1..4:-1", "expected A <= B and a STEP above 0")]
    [InlineData("settings.days=4", "no range")]
    [InlineData("settings.days=1-4", "no range")]
    [InlineData("settings.days=a..b", "'a..b' is not a numeric range")]
    [InlineData("settings.days=1..", "is not a numeric range")]
    [InlineData("settings.days=..4", "is not a numeric range")]
    [InlineData("settings.days=1..4:", "is not a numeric range")]
    [InlineData("settings.days=1..4:x", "is not a numeric range")]
    [InlineData("settings.days=1..Infinity", "is not a numeric range")]
    [InlineData("settings.days=NaN..4", "is not a numeric range")]
    [InlineData("settings.days", "expected PATH=VALUE")]
    [InlineData("settings days=1..4", "bad path")]
    [InlineData("settings.days=1..\n4", "line break")]
    public void ParseSweep_BadArgument_NullWithOneError(string argument, string expected)
    {
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep(argument, errors);

        Assert.Null(sweep);
        var error = Assert.Single(errors);
        Assert.StartsWith("--sweep ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSweep_ExponentNotation_ValuesKeepTheirMagnitude()
    {
        // 1e-3 parses as the decimal 0.001 (scale 3), so every value prints with three decimals.
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("gates.nam-giang.fee_usd=1e-3..5e-3:1e-3", errors);

        Assert.Empty(errors);
        Assert.Equal(5, sweep!.Count);
        Assert.Equal(5, sweep.Select(s => s.Value).Distinct().Count());
        Assert.Equal(0.003, double.Parse(sweep[2].Value, System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void ParseSweep_AstronomicalCount_RejectedLikeAnyCountAboveTheMaximum()
    {
        // (1e28 - 0) / 1e-20 = 1e48 values overflows decimal: it must still be refused, never wrap into an empty sweep.
        var errors = new List<string>();

        var sweep = ScenarioOverrides.ParseSweep("settings.days=0..1e28:1e-20", errors);

        Assert.Null(sweep);
        Assert.Contains("expected at most 1000", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void ToLayer_NestedPath_TextIsTheNestedMapping()
    {
        var set = ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=4", [])!;

        var layer = set.ToLayer();

        Assert.Equal("--set gates.nam-giang.vn.lanes=4", layer.Name);
        Assert.Equal("gates:\n  nam-giang:\n    vn:\n      lanes: 4\n", layer.Text);
    }

    [Fact]
    public void ToLayer_OnBaseline_ChangesOnlyThatValue()
    {
        var baseline = ScenarioParser.Parse([BaselineLayer()]);
        var set = ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=4", [])!;

        var changed = ScenarioParser.Parse([BaselineLayer(), set.ToLayer()]);

        Assert.True(changed.Succeeded, string.Join('\n', changed.Errors));
        Assert.Equal(2, Post(baseline.Definition!, "nam-giang", "vn").Lanes);
        Assert.Equal(4, Post(changed.Definition!, "nam-giang", "vn").Lanes);

        // Everything else is as it was: the Lao post, the other keys of the same post, other gates.
        var (before, after) = (Post(baseline.Definition!, "nam-giang", "vn"), Post(changed.Definition!, "nam-giang", "vn"));
        Assert.Equal((before.HoldingCapacity, before.OpenMinute, before.CloseMinute, before.DefaultService), (after.HoldingCapacity, after.OpenMinute, after.CloseMinute, after.DefaultService));
        Assert.Equal(before.ServiceByCommodity.OrderBy(e => e.Key, StringComparer.Ordinal), after.ServiceByCommodity.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(Post(baseline.Definition!, "nam-giang", "la").Lanes, Post(changed.Definition!, "nam-giang", "la").Lanes);
        Assert.Equal(Post(baseline.Definition!, "bo-y", "vn").Lanes, Post(changed.Definition!, "bo-y", "vn").Lanes);
        Assert.Equal(baseline.Definition!.Flows.Count, changed.Definition!.Flows.Count);
        Assert.Equal(baseline.Definition.Settings, changed.Definition.Settings);
    }

    [Fact]
    public void ToLayer_SweepValues_EachParsesToItsValue()
    {
        var sweep = ScenarioOverrides.ParseSweep("gates.nam-giang.fee_usd=0.5..1.5:0.25", [])!;

        var fees = sweep.Select(s =>
        {
            var parsed = ScenarioParser.Parse([BaselineLayer(), s.ToLayer()]);
            Assert.True(parsed.Succeeded, string.Join('\n', parsed.Errors));
            return Assert.Single(parsed.Definition!.Gates, g => g.Id == "nam-giang").FeeUsd;
        });

        Assert.Equal([0.5, 0.75, 1.0, 1.25, 1.5], fees);
    }

    [Fact]
    public void ToLayer_TopLevelAndSettings_Applied()
    {
        var days = ScenarioOverrides.ParseSet("settings.days=30", [])!;
        var name = ScenarioOverrides.ParseSet("name=renamed", [])!;

        var parsed = ScenarioParser.Parse([BaselineLayer(), days.ToLayer(), name.ToLayer()]);

        Assert.True(parsed.Succeeded, string.Join('\n', parsed.Errors));
        Assert.Equal(30, parsed.Definition!.Settings.Days);
        Assert.Equal("renamed", parsed.Definition.Name);
        Assert.Equal("name: renamed\n", name.ToLayer().Text);
    }

    [Fact]
    public void ToLayer_ValueTheParserRejects_ErrorNamesTheOption()
    {
        var set = ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=0", [])!;

        var parsed = ScenarioParser.Parse([BaselineLayer(), set.ToLayer()]);

        Assert.False(parsed.Succeeded);
        var error = Assert.Single(parsed.Errors);
        Assert.Equal("--set gates.nam-giang.vn.lanes=0", error.Location.Source);
        Assert.Contains("lanes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPath_ExistingPath_NoProblem()
    {
        var layers = new[] { BaselineLayer() };

        Assert.Null(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=4", [])!));
        Assert.Null(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("settings.days=30", [])!));
        Assert.Null(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("name=x", [])!));

        // The last key may be new (the parser decides whether it is allowed).
        Assert.Null(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("gates.nam-giang.vn.brand_new_key=1", [])!));
    }

    [Fact]
    public void CheckPath_UnknownGate_ListsTheKnownGates()
    {
        var change = ScenarioOverrides.ParseSet("gates.nam-gaing.vn.lanes=4", [])!;

        var problem = ScenarioOverrides.CheckPath([BaselineLayer()], change);

        Assert.Equal(
            "--set gates.nam-gaing.vn.lanes=4: unknown path: 'gates' has no key 'nam-gaing': expected one of nam-giang, bo-y, dak-blo, si-choang, po-to, gia-khau, ma-lu-thang, cha-lo",
            problem);
    }

    [Fact]
    public void CheckPath_UnknownPost_ListsThePostAndGateKeys()
    {
        var change = ScenarioOverrides.ParseSet("gates.nam-giang.cn.lanes=4", [])!;

        var problem = ScenarioOverrides.CheckPath([BaselineLayer()], change);

        Assert.NotNull(problem);
        Assert.Contains("unknown path: 'gates.nam-giang' has no key 'cn': expected one of ", problem, StringComparison.Ordinal);
        Assert.Contains("vn", problem, StringComparison.Ordinal);
        Assert.Contains("la", problem, StringComparison.Ordinal);
        Assert.Contains("fee_usd", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPath_UnknownTopLevelKey_ListsSectionsButNotExtends()
    {
        var errors = new List<ScenarioError>();
        var upgrade = ScenarioFiles.Load("nam-giang-upgrade", errors);
        Assert.Empty(errors);
        Assert.Equal(2, upgrade!.Layers.Count);

        var problem = ScenarioOverrides.CheckPath(upgrade.Layers, ScenarioOverrides.ParseSet("gate.nam-giang.fee_usd=1", [])!);

        Assert.NotNull(problem);
        Assert.StartsWith("--set gate.nam-giang.fee_usd=1: unknown path: the top level has no key 'gate': expected one of ", problem, StringComparison.Ordinal);
        var known = problem[(problem.IndexOf("expected one of ", StringComparison.Ordinal) + "expected one of ".Length)..].Split(", ");
        Assert.Contains("gates", known);
        Assert.Contains("settings", known);
        Assert.Contains("flows", known);
        Assert.DoesNotContain("extends", known);
    }

    [Fact]
    public void CheckPath_ThroughAScalar_SaysItIsNotAMapping()
    {
        var problem = ScenarioOverrides.CheckPath([BaselineLayer()], ScenarioOverrides.ParseSet("settings.days.value=3", [])!);

        Assert.Equal("--set settings.days.value=3: 'settings.days' is a scalar, not a mapping: expected a path of keys", problem);
    }

    [Fact]
    public void CheckPath_ThroughAScalarEarlier_SaysWhichPrefixIsNotAMapping()
    {
        var problem = ScenarioOverrides.CheckPath([BaselineLayer()], ScenarioOverrides.ParseSet("name.first.second=3", [])!);

        Assert.Equal("--set name.first.second=3: 'name' is a scalar, not a mapping: expected a path of keys", problem);
    }

    [Fact]
    public void CheckPath_KeyAddedByAnEarlierSet_IsKnown()
    {
        // Layers merge in order, so a path another --set introduced may be extended by the next.
        var layers = new List<ScenarioSource> { BaselineLayer(), new("--set x", "gates:\n  nam-giang:\n    closures:\n      - { from: 2023-06-01, days: 3 }\n") };

        Assert.Null(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("gates.nam-giang.vn.lanes=4", [])!));
        Assert.NotNull(ScenarioOverrides.CheckPath(layers, ScenarioOverrides.ParseSet("gates.nam-giang.closures.x=4", [])!));
    }
}
