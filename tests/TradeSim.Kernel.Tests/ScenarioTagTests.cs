using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Seed fidelity (issue 13, item 3): every number in a bundled scenario says where it comes from. The rule, as in
/// README.md ("Scenario files"):
/// <list type="bullet">
/// <item>A <b>number</b> is a value (not a key, not a `|`/`>` block of text) that begins with a digit, or with `-`, `+`
/// or `.` and a digit: lanes, minutes, km, tonnes, dates, hours (`"07:00-19:00"`), and each element of a list
/// (`at: [15.54, 107.37]`, `seasonality: [...]`). Names, descriptions and ids that merely contain a digit
/// (`ql14d-upgrade`, "1 Jan - 31 Aug 2023") are text, not numbers.</item>
/// <item>A <b>tag</b> is a comment that cites a source article by its number, `000` to `004` (as in `# 000:`,
/// `(001)` or `seeds/002`), or `FACTS` (shared/FACTS.md, the sheet of the articles' figures); or says `calibrated`;
/// or says `assumption:` followed by its reason.</item>
/// <item>A number is <b>tagged</b> when a tag covers its line. A line is covered by its own trailing comment and by
/// its header: the comment lines directly above it, at its indentation, with no blank line between. Whatever covers
/// a key covers everything nested under it (a section header above `roads:`, a comment on a gate's `vn:` line). The
/// value of a `source:` key counts as a comment on the key of its mapping, so a calibration target's
/// `source: seeds/000` covers the target. Nothing else covers a line: not a sibling's comment, not a comment
/// separated by a blank line or at another indentation.</item>
/// </list>
/// There are no exempt keys: the run settings (`start`, `days`, `step_minutes`) change the numbers a run reports, so
/// they are tagged like the rest.
/// </summary>
public sealed class ScenarioTagTests
{
    public static TheoryData<string> BundledScenarioFiles() => BaselineRuns.BundledScenarioFiles();

    [Theory]
    [MemberData(nameof(BundledScenarioFiles))]
    public void BundledScenario_EveryNumberCarriesItsSourceCalibratedOrAnAssumption(string fileName)
    {
        var numbers = ScenarioNumbers.Read(File.ReadAllText(Path.Combine(ScenarioDirectory, fileName)));

        Assert.NotEmpty(numbers);
        var untagged = numbers.Where(n => !n.Tagged).Select(n => $"{fileName}:{n.Line}: {n.Key}: {n.Value}").ToList();
        Assert.True(
            untagged.Count == 0,
            $"{untagged.Count} of {numbers.Count} numbers carry no source, `calibrated` or `assumption: why`:{Environment.NewLine}{string.Join(Environment.NewLine, untagged)}");
    }

    [Fact]
    public void LanesWithoutComment_InTheBaseline_IsReportedAtItsLine()
    {
        const string Tagged = "      lanes: 2                           # assumption: two inspection lanes at a mountain international gate";
        var text = File.ReadAllText(Path.Combine(ScenarioDirectory, "baseline.yaml"));
        var at = text.IndexOf(Tagged, StringComparison.Ordinal);
        Assert.True(at >= 0, "the Nam Giang lanes line has moved");
        var line = text[..at].Count(c => c == '\n') + 1;

        var untagged = ScenarioNumbers.Read(text.Replace(Tagged, "      lanes: 3", StringComparison.Ordinal)).Where(n => !n.Tagged).ToList();

        var number = Assert.Single(untagged);
        Assert.Equal((line, "lanes", "3", false), (number.Line, number.Key, number.Value, number.Tagged));
    }

    [Fact]
    public void NumbersAreValues_NotKeysNamesTextOrIds()
    {
        const string Text = """
            name: ql14d-upgrade
            description: >-
              The 2023 network, 4,005 trips
            roads:
              ql14d: { from: nam-giang.vn, to: thanh-my }
            closures:
              - { reason: "suspended; 004 asks to reopen it" }
            """;

        Assert.Empty(ScenarioNumbers.Read(Text));
    }

    [Fact]
    public void EveryKindOfNumber_IsFound_WithItsLineAndKey()
    {
        const string Text = """
            settings:
              start: 2023-01-01
            gates:
              g:
                at: [15.54, -107.37]
                hours: "07:00-19:00"
                service:
                  default: { mean_minutes: 10, cv: .5 }
            """;

        var numbers = ScenarioNumbers.Read(Text).Select(n => (n.Line, n.Key, n.Value)).ToList();

        Assert.Equal([(2, "start", "2023-01-01"), (5, "at", "15.54"), (5, "at", "-107.37"), (6, "hours", "07:00-19:00"), (8, "mean_minutes", "10"), (8, "cv", ".5")], numbers);
    }

    [Theory]
    [InlineData("# 000", true)]
    [InlineData("# 000: main transit good at Nam Giang", true)]
    [InlineData("# with the starch flow, 129,265 t in Jan-Aug 2023 (000)", true)]
    [InlineData("# 002, 004: agriculture named as a trade line", true)]
    [InlineData("# seeds/003", true)]
    [InlineData("# FACTS: a plausible seaport", true)]
    [InlineData("# calibrated, as above", true)]
    [InlineData("# assumption: two weeks fill the queues", true)]
    [InlineData("# Assumption: capitalised", true)]
    [InlineData("# assumption", false)]
    [InlineData("# assumption:", false)]
    [InlineData("# an assumed value", false)]
    [InlineData("# 005: not a source", false)]
    [InlineData("# 2000 trucks", false)]
    [InlineData("# 0001", false)]
    [InlineData("# cv 1.004", false)]
    [InlineData("# facts of life", false)]
    [InlineData("# one-hour steps", false)]
    public void Tag_IsASourceCalibratedOrAnAssumptionWithItsReason(string comment, bool isTag)
    {
        var numbers = ScenarioNumbers.Read($"lanes: 2   {comment}\n");

        Assert.Equal(isTag, Assert.Single(numbers).Tagged);
    }

    [Fact]
    public void HeadersAndKeyComments_CoverTheLinesNestedUnderThem()
    {
        const string Text = """
            # Road links. assumption: km read off the map
            roads:
              a: { km: 5, kmh: 30 }
            carriers:                # 000: the fleets of the article
              c:
                trucks: 3
            flows:
              # calibrated: the volumes reproduce 000
              # (a second comment line)
              f:
                tonnes_per_year: 100
                daily_cv: 0.3
              g:
                tonnes_per_year: 200   # assumption: small
                seasonality:         # assumption: harvests in the dry season
                  - 1.3
                  - 0.7
            """;

        var numbers = ScenarioNumbers.Read(Text);

        Assert.Equal(8, numbers.Count);
        Assert.All(numbers, n => Assert.True(n.Tagged, $"line {n.Line}: {n.Key}: {n.Value}"));
    }

    [Fact]
    public void SiblingsBlankLineSeparatedAndMisalignedComments_DoNotCover()
    {
        const string Text = """
            gates:
              g:
                # assumption: covers lanes only
                lanes: 2
                holding_capacity: 60
                hours: "07:00-19:00"  # assumption: day-time opening
                fee_usd: 15
                # assumption: separated from the line below by a blank line

                transfer_minutes: 10
              # assumption: at the indentation of `g`, not of `lanes`
                lanes_la: 1
            # calibrated: a comment at the end of the file covers nothing
            """;

        var untagged = ScenarioNumbers.Read(Text).Where(n => !n.Tagged).Select(n => n.Line).ToList();

        Assert.Equal([5, 7, 10, 12], untagged);
    }

    [Fact]
    public void SourceKey_CoversItsMapping_AndOnlyWhenItCitesASource()
    {
        const string Text = """
            calibration:
              targets:
                cited:
                  observed: 4005
                  source: seeds/000
                uncited:
                  observed: 129265
                  source: a newspaper
            """;

        var numbers = ScenarioNumbers.Read(Text).Select(n => (n.Line, n.Tagged)).ToList();

        Assert.Equal([(4, true), (7, false)], numbers);
    }

    [Fact]
    public void Assumption_IsTheNearestTag_NotAnyCoveringOne()
    {
        const string Text = """
            gates:                   # 000: the gates of the article
              g:
                lanes: 2             # assumption: two lanes
                fee_usd: 15
            carriers:                # assumption: the fleets are guessed
              c:
                trucks: 3            # FACTS: the fleet's size
                kmh: 60
            """;

        var numbers = ScenarioNumbers.Read(Text).Select(n => (n.Key, n.Column, n.Assumption)).ToList();

        Assert.Equal([("lanes", 12, true), ("fee_usd", 14, false), ("trucks", 13, false), ("kmh", 10, true)], numbers);
    }

    private static string ScenarioDirectory => BaselineRuns.ScenarioDirectory;
}
