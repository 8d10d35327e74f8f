using System.Text.RegularExpressions;
using TradeSim.Client.Report;

namespace TradeSim.Client.Tests;

/// <summary>The report's charts of measures that cannot be negative (issue 11, item 4): the axis starts at zero.</summary>
public sealed partial class SvgChartTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void GroupedBars_AnIntervalReachingBelowZero_OnlyANonNegativeMeasureKeepsItsAxisAtZero(bool nonNegative, bool expectNegativeTicks)
    {
        // A maximum queue of 2 trucks in most replications and 40 in one: its Student-t interval reaches -20.
        var frame = new ChartFrame("chart", "Maximum queue", "test chart", "trucks", 600, 300, nonNegative);
        BarSeries[] series = [new("baseline", "#336699", [new BarValue(10, -20, 40)])];

        var svg = SvgChart.GroupedBars(frame, ["Nam Giang"], series);

        var ticks = TickLabels().Matches(svg).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(ticks);
        Assert.Equal(expectNegativeTicks, ticks.Any(t => t.StartsWith('-') || t.StartsWith('\u2212')));
        Assert.Contains("0", ticks);
    }

    [GeneratedRegex("class=\"c-tick\"[^>]*>([^<]*)<")]
    private static partial Regex TickLabels();
}
