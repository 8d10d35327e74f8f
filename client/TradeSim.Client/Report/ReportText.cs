using System.Globalization;
using System.Net;

namespace TradeSim.Client.Report;

/// <summary>
/// Escaping and number formatting shared by the HTML report and its SVG charts. Everything is formatted with the
/// invariant culture so a report reads the same on every machine.
/// </summary>
internal static class ReportText
{
    /// <summary>U+2212, the typographic minus: the same width as the plus sign, so signed columns line up.</summary>
    private const char Minus = '\u2212';

    /// <summary>Shown where a number is undefined (a percentage of a zero baseline, a KPI missing on one side).</summary>
    public const string NotAvailable = "\u2013";

    /// <summary>
    /// Escapes text for HTML content, attribute values and inline SVG alike. Scenario files are user input: every
    /// name, description and layer text goes through here, so nothing in them can become markup.
    /// </summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>Decimals that show a value to about three significant digits (4,005; 12.3; 0.523), at most four.</summary>
    public static int DecimalsFor(double magnitude)
    {
        var m = Math.Abs(magnitude);
        if (!double.IsFinite(m) || m == 0)
        {
            return 0;
        }

        return Math.Clamp(2 - (int)Math.Floor(Math.Log10(m)), 0, 4);
    }

    /// <summary>A number with thousands separators and a typographic minus; a dash when it is not finite.</summary>
    public static string Number(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            return NotAvailable;
        }

        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        var text = Math.Abs(rounded).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return rounded < 0 ? Minus + text : text;
    }

    /// <summary>A number with three significant digits or so.</summary>
    public static string Number(double value) => Number(value, DecimalsFor(value));

    /// <summary>A difference, always signed (+12, −3.4, 0).</summary>
    public static string Signed(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            return NotAvailable;
        }

        var text = Number(value, decimals);
        return Math.Round(value, decimals, MidpointRounding.AwayFromZero) > 0 ? "+" + text : text;
    }

    /// <summary>A signed percentage with one decimal (+12.3%); a dash when undefined (NaN for a zero baseline).</summary>
    public static string Percent(double value) => double.IsFinite(value) ? Signed(value, 1) + "%" : NotAvailable;

    /// <summary>
    /// An estimate of how wide text renders in a proportional sans-serif font: 0.58 em a character on average, a
    /// little generous so that labels laid out with it do not collide.
    /// </summary>
    public static double TextWidth(string text, double fontSize) => text.Length * fontSize * 0.58;

    /// <summary>
    /// Breaks text into at most <paramref name="maxLines"/> lines that fit <paramref name="maxWidth"/> (by
    /// <see cref="TextWidth"/>), at spaces where possible; the last line ends in an ellipsis when text is left over.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, double maxWidth, double fontSize, int maxLines)
    {
        ArgumentNullException.ThrowIfNull(text);
        var perLine = Math.Max(4, (int)(maxWidth / (fontSize * 0.58)));
        var lines = new List<string>();
        var rest = text.Trim();
        while (rest.Length > 0)
        {
            if (lines.Count == maxLines - 1 || rest.Length <= perLine)
            {
                lines.Add(rest.Length <= perLine ? rest : rest[..(perLine - 1)].TrimEnd() + "\u2026");
                break;
            }

            // Break at the last space that leaves the line within the width; a single long word is cut.
            var cut = rest.LastIndexOf(' ', perLine);
            if (cut <= 0)
            {
                cut = perLine;
            }

            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }

        return lines;
    }
}

/// <summary>
/// The Okabe-Ito colours, distinguishable with the common forms of colour blindness. The baseline always takes
/// the first (blue), so it looks the same in every chart and every report.
/// </summary>
internal static class ReportPalette
{
    public const string Baseline = "#0072B2";

    /// <summary>Series colours in the order they are handed out: baseline blue first; yellow last, as it is faint on white.</summary>
    public static IReadOnlyList<string> Series { get; } =
        [Baseline, "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];

    /// <summary>Colours for categories that have no baseline (commodities in the network schematic): blue left to the end.</summary>
    public static IReadOnlyList<string> Categories { get; } =
        ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#000000", "#F0E442"];

    public static string SeriesColour(int index) => Series[index % Series.Count];

    public static string CategoryColour(int index) => Categories[index % Categories.Count];
}
