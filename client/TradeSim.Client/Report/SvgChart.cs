using System.Globalization;
using System.Text;

namespace TradeSim.Client.Report;

/// <summary>
/// What every chart needs: a page-unique id, its title, an accessible description, the value axis's label and its
/// size in pixels. <see cref="NonNegative"/> says the measure cannot be below zero (trucks, hours, a queue): its axis
/// starts at zero and an interval is drawn only down to zero, where Student-t bounds of a small, skewed sample can
/// fall below it.
/// </summary>
internal sealed record ChartFrame(string Id, string Title, string Description, string ValueLabel, double Width, double Height, bool NonNegative = false);

/// <summary>A replicated value: its mean and the bounds of its 95% confidence interval.</summary>
internal readonly record struct BarValue(double Mean, double Low, double High);

/// <summary>One scenario's bars: a value per category, null where the scenario does not have that category.</summary>
internal sealed record BarSeries(string Name, string Colour, IReadOnlyList<BarValue?> Values);

/// <summary>Days <see cref="FromDay"/> to <see cref="ToDay"/> (0-based, inclusive) shaded on a daily chart, with what happened then.</summary>
internal sealed record ShadedDays(int FromDay, int ToDay, string Label, string Colour);

/// <summary>One series of a forest plot: an effect (mean and 95% interval, in percent) per row, null where it has none.</summary>
internal sealed record ForestSeries(string Name, string Colour, IReadOnlyList<BarValue?> Effects);

/// <summary>One row of a tornado chart: μ* with its 95% interval, and μ, whose sign puts the bar on its side.</summary>
internal readonly record struct TornadoBar(double MuStar, double Low, double High, double Mu);

/// <summary>One scenario's daily series: the mean line and the band drawn around it (its Low and High per day).</summary>
internal sealed record BandSeries(string Name, string Colour, IReadOnlyList<double> Mean, IReadOnlyList<double> Low, IReadOnlyList<double> High);

/// <summary>
/// The report's own small SVG charts: grouped bars with confidence-interval whiskers, and lines with shaded bands
/// over dates. Each chart carries its title, a legend and labelled axes with round tick values, so a chart copied
/// out of the report still says what it shows. Sizes are in CSS pixels; the page scales a chart down when narrower.
/// </summary>
internal static class SvgChart
{
    private const double TitleSize = 15;
    private const double LabelSize = 12;
    private const double LegendRowHeight = 18;
    private const double CategoryLineHeight = 14;

    /// <summary>
    /// Dash patterns of the lines after the first (the baseline's, solid). Where two scenarios agree their lines
    /// coincide; the dashes let the one beneath show through, and tell the lines apart without colour.
    /// </summary>
    private static readonly string[] Dashes = ["7 4", "2 3", "10 3 2 3"];

    /// <summary>
    /// Bars grouped by category (one bar per series in each group) from zero to the mean, with whiskers over the
    /// 95% confidence interval. A bar's tooltip gives the numbers.
    /// </summary>
    public static string GroupedBars(ChartFrame frame, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var svg = Open(frame);
        var right = frame.Width - 12;
        if (frame.NonNegative)
        {
            series = [.. series.Select(s => s with { Values = [.. s.Values.Select(v => v is { } b ? b with { Low = Math.Max(0, b.Low) } : v)] })];
        }

        // Everything the axis must show: zero (bars start there), every mean and every whisker end.
        var values = series.SelectMany(s => s.Values)
            .Where(v => v is { } b && double.IsFinite(b.Mean))
            .SelectMany(v => new[] { v!.Value.Mean, v.Value.Low, v.Value.High })
            .Where(double.IsFinite)
            .Append(0)
            .ToList();
        // Magnitudes two orders apart (a main gate's 20,000 trucks beside a crossing point's 40) would flatten the
        // small bars to nothing on a linear axis: a non-negative measure then gets a logarithmic one.
        var positive = series.SelectMany(s => s.Values).Where(v => v is { Mean: > 0 } b && double.IsFinite(b.Mean)).Select(v => v!.Value.Mean).ToList();
        var logarithmic = frame.NonNegative && positive.Count > 1 && positive.Max() / positive.Min() >= 100;
        var scale = logarithmic ? AxisScale.Logarithmic(positive.Min(), values.Max()) : AxisScale.Covering(values.Min(), values.Max());
        var left = LeftMargin(scale);

        var plotTop = Legend(svg, left, 40, right, [.. series.Select(s => (s.Name, s.Colour))], lineSwatch: false) + 12;
        var groupWidth = (right - left) / Math.Max(1, categories.Count);
        var labels = categories.Select(c => ReportText.Wrap(c, groupWidth - 8, LabelSize, 3)).ToList();
        var labelLines = labels.Count == 0 ? 1 : labels.Max(l => l.Count);
        var plotBottom = frame.Height - (labelLines * CategoryLineHeight) - 12;
        double Y(double value) => plotBottom - (scale.Fraction(value) * (plotBottom - plotTop));

        ValueAxis(svg, scale, left, right, plotTop, plotBottom, logarithmic ? frame.ValueLabel + " (log scale)" : frame.ValueLabel);

        // Bars take up to 72% of a group, at most 56 px each, centred in it.
        var barsWidth = Math.Min(groupWidth * 0.72, series.Count * 56.0);
        var barWidth = barsWidth / Math.Max(1, series.Count);
        var zero = logarithmic ? plotBottom : Y(Math.Clamp(0, scale.Min, scale.Max));
        for (var c = 0; c < categories.Count; c++)
        {
            var groupLeft = left + (c * groupWidth) + ((groupWidth - barsWidth) / 2);
            for (var s = 0; s < series.Count; s++)
            {
                if (c >= series[s].Values.Count || series[s].Values[c] is not { } v || !double.IsFinite(v.Mean))
                {
                    continue;
                }

                var x = groupLeft + (s * barWidth);
                var top = Math.Min(Y(v.Mean), zero);
                var tooltip = string.Create(CultureInfo.InvariantCulture, $"{series[s].Name}, {categories[c]}: {ReportText.Number(v.Mean)} (95% CI {ReportText.Number(v.Low)} to {ReportText.Number(v.High)})");
                svg.Rect(x + 1, top, barWidth - 2, Math.Abs(Y(v.Mean) - zero), "c-bar", series[s].Colour, tooltip);
                if (double.IsFinite(v.Low) && double.IsFinite(v.High) && v.High > v.Low)
                {
                    var centre = x + (barWidth / 2);
                    var cap = Math.Min(barWidth * 0.5, 10) / 2;
                    svg.Line(centre, Y(v.Low), centre, Y(v.High), "c-whisker");
                    svg.Line(centre - cap, Y(v.Low), centre + cap, Y(v.Low), "c-whisker");
                    svg.Line(centre - cap, Y(v.High), centre + cap, Y(v.High), "c-whisker");
                }
            }

            svg.TextLines(left + ((c + 0.5) * groupWidth), plotBottom + 17, labels[c], CategoryLineHeight, "c-label", "middle");
        }

        svg.Line(left, zero, right, zero, "c-axis");
        return svg.Finish();
    }

    /// <summary>
    /// One line per series over consecutive days, each with its band shaded behind it. Days are dated from
    /// <paramref name="firstDay"/>; without it the x axis counts days.
    /// </summary>
    public static string BandedLines(ChartFrame frame, DateOnly? firstDay, IReadOnlyList<BandSeries> series, IReadOnlyList<ShadedDays>? shaded = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(series);
        var svg = Open(frame);

        // The right margin leaves room for half of the last date label.
        var right = frame.Width - 24;
        var days = series.Count == 0 ? 0 : series.Max(s => s.Mean.Count);
        var values = series.SelectMany(s => s.Mean.Concat(s.Low).Concat(s.High)).Where(double.IsFinite).Append(0).ToList();
        var scale = AxisScale.Covering(values.Min(), values.Max(), 4);
        var left = LeftMargin(scale);
        var plotTop = Legend(svg, left, 40, right, [.. series.Select(s => (s.Name, s.Colour))], lineSwatch: true) + 12;
        var plotBottom = frame.Height - 30;
        double X(int day) => days <= 1 ? (left + right) / 2 : left + ((right - left) * day / (days - 1));
        double Y(double value) => plotBottom - (scale.Fraction(value) * (plotBottom - plotTop));

        ValueAxis(svg, scale, left, right, plotTop, plotBottom, frame.ValueLabel);

        // Closures behind everything: a hatched span per closure, labelled at its top, so a queue that vanishes
        // there reads as a closed gate rather than a quiet one.
        foreach (var span in shaded ?? [])
        {
            var from = Math.Clamp(span.FromDay, 0, Math.Max(0, days - 1));
            var to = Math.Clamp(span.ToDay, 0, Math.Max(0, days - 1));
            if (span.ToDay < 0 || span.FromDay > days - 1 || days == 0)
            {
                continue;
            }

            var x0 = X(from) - (days > 1 ? (right - left) / (days - 1) / 2 : 0);
            var x1 = X(to) + (days > 1 ? (right - left) / (days - 1) / 2 : 0);
            x0 = Math.Max(left, x0);
            x1 = Math.Min(right, x1);
            svg.Rect(x0, plotTop, Math.Max(1, x1 - x0), plotBottom - plotTop, "c-closure", span.Colour, span.Label);
            svg.Text(x0 + 3, plotTop + 12, ReportText.Wrap(span.Label, Math.Max(40, right - x0 - 6), LabelSize, 1)[0], "c-closure-label");
        }

        foreach (var (day, label) in DateTicks(firstDay, days, Math.Max(2, (int)((right - left) / 70))))
        {
            svg.Line(X(day), plotBottom, X(day), plotBottom + 5, "c-axis");
            svg.Text(X(day), plotBottom + 18, label, "c-label", "middle");
        }

        // Every band first, then every line, so no band hides another scenario's line.
        foreach (var s in series)
        {
            var n = Math.Min(s.Low.Count, s.High.Count);
            if (n > 1)
            {
                var band = new StringBuilder();
                for (var d = 0; d < n; d++)
                {
                    band.Append(d == 0 ? 'M' : 'L').Append(SvgBuilder.N(X(d))).Append(',').Append(SvgBuilder.N(Y(Finite(s.High[d])))).Append(' ');
                }

                for (var d = n - 1; d >= 0; d--)
                {
                    band.Append('L').Append(SvgBuilder.N(X(d))).Append(',').Append(SvgBuilder.N(Y(Finite(s.Low[d])))).Append(' ');
                }

                svg.Path(band.Append('Z').ToString(), "c-band", fill: s.Colour);
            }
        }

        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.Mean.Count == 1)
            {
                svg.Circle(X(0), Y(Finite(s.Mean[0])), 3, "c-point", s.Colour);
                continue;
            }

            var line = new StringBuilder();
            for (var d = 0; d < s.Mean.Count; d++)
            {
                line.Append(d == 0 ? 'M' : 'L').Append(SvgBuilder.N(X(d))).Append(',').Append(SvgBuilder.N(Y(Finite(s.Mean[d])))).Append(' ');
            }

            svg.Path(line.ToString().TrimEnd(), "c-line", stroke: s.Colour, tooltip: s.Name, dash: Dash(i));
        }

        svg.Line(left, plotBottom, right, plotBottom, "c-axis");
        return svg.Finish();
    }

    /// <summary>
    /// A forest plot: one row per KPI, in it one point per series at its effect (percent change against the
    /// baseline) with its 95% interval as a line, and a vertical rule at zero. A series without an effect on a row
    /// (no data, or a base too small for a percent) leaves its slot empty. Rows alternate a light stripe.
    /// </summary>
    public static string Forest(ChartFrame frame, IReadOnlyList<string> rows, IReadOnlyList<ForestSeries> series)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(series);
        var slot = 13.0;
        var rowHeight = Math.Max(24, (series.Count * slot) + 8);
        var labelWidth = Math.Min(frame.Width * 0.42, 420);
        var height = 70 + (rows.Count * rowHeight) + 40;
        var svg = Open(frame with { Height = height });
        var left = labelWidth + 12;
        var right = frame.Width - 16;
        var values = series.SelectMany(s => s.Effects).Where(e => e is not null).SelectMany(e => new[] { e!.Value.Mean, e.Value.Low, e.Value.High }).Where(double.IsFinite).Append(0).ToList();
        var scale = AxisScale.Covering(values.Min(), values.Max(), 6);
        var plotTop = Legend(svg, left, 40, right, [.. series.Select(s => (s.Name, s.Colour))], lineSwatch: false) + 10;
        var plotBottom = plotTop + (rows.Count * rowHeight);
        double X(double value) => left + (scale.Fraction(value) * (right - left));
        for (var r = 0; r < rows.Count; r++)
        {
            var top = plotTop + (r * rowHeight);
            if (r % 2 == 0)
            {
                svg.Rect(0, top, right, rowHeight, "c-stripe");
            }

            var label = ReportText.Wrap(rows[r], labelWidth - 8, LabelSize, 2);
            svg.TextLines(labelWidth, top + (rowHeight / 2) - ((label.Count - 1) * 7) + 4, label, 14, "c-label", "end");
            for (var s = 0; s < series.Count; s++)
            {
                if (r >= series[s].Effects.Count || series[s].Effects[r] is not { } e || !double.IsFinite(e.Mean))
                {
                    continue;
                }

                var y = top + 4 + (s * slot) + (slot / 2) + ((rowHeight - 8 - (series.Count * slot)) / 2);
                var tooltip = string.Create(CultureInfo.InvariantCulture, $"{series[s].Name}, {rows[r]}: {ReportText.Signed(e.Mean, 1)}% (95% CI {ReportText.Signed(e.Low, 1)}% to {ReportText.Signed(e.High, 1)}%)");
                if (double.IsFinite(e.Low) && double.IsFinite(e.High))
                {
                    svg.Line(X(e.Low), y, X(e.High), y, "c-whisker");
                }

                svg.Rect(X(e.Mean) - 4, y - 4, 8, 8, "c-effect", series[s].Colour, tooltip);
            }
        }

        foreach (var tick in scale.Ticks)
        {
            svg.Line(X(tick), plotTop, X(tick), plotBottom, "c-grid");
            svg.Text(X(tick), plotBottom + 16, scale.Label(tick) + "%", "c-tick", "middle");
        }

        svg.Line(X(0), plotTop, X(0), plotBottom, "c-axis");
        svg.Text((left + right) / 2, plotBottom + 34, frame.ValueLabel, "c-axis-title", "middle");
        return svg.Finish();
    }

    /// <summary>
    /// A tornado chart of a sensitivity analysis: one row per input, largest first, a bar from zero to μ* (the mean
    /// absolute elementary effect) drawn on the side of μ's sign (right: raising the input raises the KPI on average),
    /// with μ*'s 95% interval as a whisker on the same side, and a rule at zero. A row without an effect is left empty.
    /// </summary>
    public static string Tornado(ChartFrame frame, IReadOnlyList<string> rows, IReadOnlyList<TornadoBar> bars, (string Name, string Colour) raises, (string Name, string Colour) lowers)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(bars);
        var rowHeight = 24.0;
        var labelWidth = Math.Min(frame.Width * 0.42, 420);
        var height = 70 + (rows.Count * rowHeight) + 40;
        var svg = Open(frame with { Height = height });
        var left = labelWidth + 12;
        var right = frame.Width - 16;
        var reach = bars.SelectMany(b => new[] { b.MuStar, b.High }).Where(double.IsFinite).Append(0).Max();
        var scale = AxisScale.Covering(-reach, reach, 6);
        var plotTop = Legend(svg, left, 40, right, [raises, lowers], lineSwatch: false) + 10;
        var plotBottom = plotTop + (rows.Count * rowHeight);
        double X(double value) => left + (scale.Fraction(value) * (right - left));
        for (var r = 0; r < rows.Count; r++)
        {
            var top = plotTop + (r * rowHeight);
            if (r % 2 == 0)
            {
                svg.Rect(0, top, right, rowHeight, "c-stripe");
            }

            svg.Text(labelWidth, top + (rowHeight / 2) + 4, ReportText.Wrap(rows[r], labelWidth - 8, LabelSize, 1)[0], "c-label", "end");
            if (r >= bars.Count || !double.IsFinite(bars[r].MuStar))
            {
                continue;
            }

            var b = bars[r];
            var side = b.Mu < 0 ? -1 : 1;
            var (name, colour) = side > 0 ? raises : lowers;
            var tooltip = string.Create(CultureInfo.InvariantCulture, $"{rows[r]}: mu* {b.MuStar:G4} (95% CI {b.Low:G4} to {b.High:G4}), mu {b.Mu:G4}: {name}");
            var x0 = X(0);
            var x1 = X(side * b.MuStar);
            svg.Rect(Math.Min(x0, x1), top + 5, Math.Abs(x1 - x0), rowHeight - 10, "c-bar", colour, tooltip);
            if (double.IsFinite(b.Low) && double.IsFinite(b.High))
            {
                var y = top + (rowHeight / 2);
                svg.Line(X(side * b.Low), y, X(side * b.High), y, "c-whisker");
                svg.Line(X(side * b.Low), y - 4, X(side * b.Low), y + 4, "c-whisker");
                svg.Line(X(side * b.High), y - 4, X(side * b.High), y + 4, "c-whisker");
            }
        }

        foreach (var tick in scale.Ticks)
        {
            svg.Line(X(tick), plotTop, X(tick), plotBottom, "c-grid");

            // Both sides count the size of an effect: the axis reads μ* either way.
            svg.Text(X(tick), plotBottom + 16, scale.Label(Math.Abs(tick)), "c-tick", "middle");
        }

        svg.Line(X(0), plotTop, X(0), plotBottom, "c-axis");
        svg.Text((left + right) / 2, plotBottom + 34, frame.ValueLabel, "c-axis-title", "middle");
        return svg.Finish();
    }

    /// <summary>
    /// One stacked bar per category (a scenario), its parts (the WCO split of the hours to cross) stacked from zero in
    /// the order given, each part's colour in the legend; a category without a value has no bar. A part's tooltip
    /// gives its hours and share of the bar.
    /// </summary>
    public static string StackedBars(ChartFrame frame, IReadOnlyList<string> categories, IReadOnlyList<(string Name, string Colour)> parts, IReadOnlyList<double[]?> values)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(values);
        var svg = Open(frame);
        var right = frame.Width - 12;
        var totals = values.Where(v => v is not null).Select(v => v!.Where(double.IsFinite).Sum()).Append(0).ToList();
        var scale = AxisScale.Covering(0, totals.Max(), 4);
        var left = LeftMargin(scale);
        var plotTop = Legend(svg, left, 40, right, parts, lineSwatch: false) + 12;
        var groupWidth = (right - left) / Math.Max(1, categories.Count);
        var labels = categories.Select(c => ReportText.Wrap(c, groupWidth - 6, LabelSize, 3)).ToList();
        var labelLines = labels.Count == 0 ? 1 : labels.Max(l => l.Count);
        var plotBottom = frame.Height - (labelLines * CategoryLineHeight) - 12;
        double Y(double value) => plotBottom - (scale.Fraction(value) * (plotBottom - plotTop));

        ValueAxis(svg, scale, left, right, plotTop, plotBottom, frame.ValueLabel);
        var barWidth = Math.Min(groupWidth * 0.6, 44);
        for (var c = 0; c < categories.Count; c++)
        {
            var x = left + (c * groupWidth) + ((groupWidth - barWidth) / 2);
            if (c < values.Count && values[c] is { } stack)
            {
                var total = stack.Where(double.IsFinite).Sum();
                var bottom = 0.0;
                for (var p = 0; p < parts.Count && p < stack.Length; p++)
                {
                    var part = double.IsFinite(stack[p]) ? Math.Max(0, stack[p]) : 0;
                    var tooltip = string.Create(CultureInfo.InvariantCulture, $"{categories[c]}, {parts[p].Name}: {ReportText.Number(part, 2)} h ({ReportText.Number(total == 0 ? 0 : part / total * 100, 0)}% of {ReportText.Number(total, 2)} h)");
                    svg.Rect(x, Y(bottom + part), barWidth, Y(bottom) - Y(bottom + part), "c-bar", parts[p].Colour, tooltip);
                    bottom += part;
                }
            }

            svg.TextLines(left + ((c + 0.5) * groupWidth), plotBottom + 17, labels[c], CategoryLineHeight, "c-label", "middle");
        }

        svg.Line(left, plotBottom, right, plotBottom, "c-axis");
        return svg.Finish();
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static string? Dash(int series) => series == 0 ? null : Dashes[(series - 1) % Dashes.Length];

    /// <summary>The SVG with its title drawn on one line; a title too long for the chart is cut (the full one stays in &lt;title&gt;).</summary>
    private static SvgBuilder Open(ChartFrame frame)
    {
        var svg = new SvgBuilder(frame.Id, frame.Width, frame.Height, frame.Title, frame.Description, "chart");

        // Bold text runs wider than the estimate for regular text: leave it a tenth more room.
        svg.Text(0, 18, ReportText.Wrap(frame.Title, frame.Width * 0.9, TitleSize, 1)[0], "c-title");
        return svg;
    }

    /// <summary>Room for the widest tick label and the rotated axis title.</summary>
    private static double LeftMargin(AxisScale scale) =>
        Math.Max(52, scale.Ticks.Max(t => ReportText.TextWidth(scale.Label(t), LabelSize)) + 34);

    /// <summary>Horizontal gridlines with tick labels at the round values of <paramref name="scale"/>, and the axis title.</summary>
    private static void ValueAxis(SvgBuilder svg, AxisScale scale, double left, double right, double top, double bottom, string title)
    {
        foreach (var tick in scale.Ticks)
        {
            var y = bottom - (scale.Fraction(tick) * (bottom - top));
            svg.Line(left, y, right, y, "c-grid");
            svg.Text(left - 6, y + 4, scale.Label(tick), "c-tick", "end");
        }

        svg.Line(left, top, left, bottom, "c-axis");
        svg.Text(13, (top + bottom) / 2, title, "c-axis-title", "middle", -90);
    }

    /// <summary>
    /// A legend of coloured swatches and names from (<paramref name="x"/>, <paramref name="y"/>), wrapping onto
    /// more rows when it reaches <paramref name="maxX"/>. Returns the y below its last row.
    /// </summary>
    private static double Legend(SvgBuilder svg, double x, double y, double maxX, IReadOnlyList<(string Name, string Colour)> items, bool lineSwatch)
    {
        var cursor = x;
        var row = y;
        for (var i = 0; i < items.Count; i++)
        {
            var (name, colour) = items[i];
            var label = ReportText.Wrap(name, maxX - x - 24, LabelSize, 1)[0];
            var swatch = lineSwatch ? 24 : 18;
            var width = swatch + ReportText.TextWidth(label, LabelSize) + 18;
            if (cursor > x && cursor + width > maxX)
            {
                cursor = x;
                row += LegendRowHeight;
            }

            if (lineSwatch)
            {
                // A line over a patch of its band, as the series is drawn in the plot.
                svg.Rect(cursor, row - 10, 18, 10, "c-band", colour);
                svg.Path(string.Create(CultureInfo.InvariantCulture, $"M{SvgBuilder.N(cursor)},{SvgBuilder.N(row - 5)} L{SvgBuilder.N(cursor + 18)},{SvgBuilder.N(row - 5)}"), "c-line", stroke: colour, dash: Dash(i));
            }
            else
            {
                svg.Rect(cursor, row - 10, 12, 12, "c-swatch", colour, radius: 2);
            }

            svg.Text(cursor + swatch, row, label, "c-legend");
            cursor += width;
        }

        return row + 6;
    }

    /// <summary>
    /// Ticks for a run of days: the first of each month (every 1, 2, 3, 6 or 12 months) over long windows, every
    /// 1, 2, 7, 14 or 28 days over short ones, at most <paramref name="maxTicks"/> of them.
    /// </summary>
    private static List<(int Day, string Label)> DateTicks(DateOnly? firstDay, int days, int maxTicks)
    {
        var ticks = new List<(int, string)>();
        if (days <= 0)
        {
            return ticks;
        }

        if (firstDay is not { } start)
        {
            var scale = AxisScale.Covering(1, days, maxTicks);
            ticks.AddRange(scale.Ticks.Where(t => t >= 1 && t <= days).Select(t => ((int)t - 1, "day " + ((int)t).ToString(CultureInfo.InvariantCulture))));
            return ticks;
        }

        if (days > 75)
        {
            var firstOfMonths = Enumerable.Range(0, days).Where(d => start.AddDays(d).Day == 1).ToList();
            var every = new[] { 1, 2, 3, 6, 12 }.FirstOrDefault(m => firstOfMonths.Count(d => (start.AddDays(d).Month - 1) % m == 0) <= maxTicks, 12);
            var shown = firstOfMonths.Where(d => (start.AddDays(d).Month - 1) % every == 0).ToList();
            for (var i = 0; i < shown.Count; i++)
            {
                var date = start.AddDays(shown[i]);
                var format = i == 0 || date.Month == 1 ? "MMM yyyy" : "MMM";
                ticks.Add((shown[i], date.ToString(format, CultureInfo.InvariantCulture)));
            }

            return ticks;
        }

        var step = new[] { 1, 2, 7, 14, 28 }.FirstOrDefault(s => ((days - 1) / s) + 1 <= maxTicks, 28);
        for (var d = 0; d < days; d += step)
        {
            ticks.Add((d, start.AddDays(d).ToString("d MMM", CultureInfo.InvariantCulture)));
        }

        return ticks;
    }
}
