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

    [Theory]
    [InlineData(20_000, 40, true)]
    [InlineData(20_000, 400, false)]
    public void GroupedBars_MagnitudesTwoOrdersApart_GetALogarithmicAxisWithPowersOfTen(double large, double small, bool logarithmic)
    {
        // A main gate's 20,000 trucks beside a crossing point's 40: on a linear axis the small bar is a hairline.
        var frame = new ChartFrame("chart", "Trucks", "test chart", "trucks", 600, 300, NonNegative: true);
        BarSeries[] series = [new("baseline", "#336699", [new BarValue(large, large * 0.99, large * 1.01), new BarValue(small, small * 0.9, small * 1.1)])];

        var svg = SvgChart.GroupedBars(frame, ["Bo Y", "Po To"], series);

        var ticks = TickLabels().Matches(svg).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(logarithmic, svg.Contains("trucks (log scale)", StringComparison.Ordinal));
        if (logarithmic)
        {
            Assert.Equal(["10", "100", "1,000", "10,000", "100,000"], ticks);

            // The small bar is a visible share of the plot: log10(40) sits 0.4 of the way up from 10 to 100,000.
            var heights = BarHeights().Matches(svg).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(heights.Min() / heights.Max() > 0.1, string.Join(", ", heights));
        }
        else
        {
            Assert.Contains("0", ticks);
        }
    }

    [Fact]
    public void BandedLines_AClosure_IsShadedOverItsDaysAndLabelled()
    {
        var frame = new ChartFrame("chart", "Nam Giang", "test chart", "trucks queued", 600, 260);
        var days = 100;
        BandSeries[] series = [new("baseline", "#336699", [.. Enumerable.Repeat(5.0, days)], [.. Enumerable.Repeat(4.0, days)], [.. Enumerable.Repeat(6.0, days)])];

        var svg = SvgChart.BandedLines(frame, new DateOnly(2023, 1, 1), series, [new ShadedDays(40, 53, "closed in landslide: road cut", "#D55E00"), new ShadedDays(80, 80, "closed in strike: one day", "#009E73")]);

        var closures = ClosureRect().Matches(svg).Select(m => (X: Number(m.Groups["x"].Value), Width: Number(m.Groups["w"].Value))).ToList();
        Assert.Equal(2, closures.Count);

        // 14 days are 14 times as wide as one, and day 80 lies right of days 40 to 53.
        Assert.InRange(closures[0].Width / closures[1].Width, 13.5, 14.5);
        Assert.True(closures[1].X > closures[0].X + closures[0].Width);
        Assert.Contains("closed in landslide: road cut", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("c-closure", SvgChart.BandedLines(frame, new DateOnly(2023, 1, 1), series), StringComparison.Ordinal);
    }

    private static double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("<rect class=\"c-closure\" x=\"(?<x>[0-9.]+)\" y=\"[0-9.]+\" width=\"(?<w>[0-9.]+)\"")]
    private static partial Regex ClosureRect();

    [GeneratedRegex("<rect class=\"c-bar\" x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"([0-9.]+)\"")]
    private static partial Regex BarHeights();

    [GeneratedRegex("class=\"c-tick\"[^>]*>([^<]*)<")]
    private static partial Regex TickLabels();
}
