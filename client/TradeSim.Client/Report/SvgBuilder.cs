using System.Globalization;
using System.Text;

namespace TradeSim.Client.Report;

/// <summary>
/// Writes one inline SVG element. Coordinates are formatted with the invariant culture and at most two decimals;
/// every piece of text is escaped here, so callers hand over raw text. Styling is by CSS class: the report's
/// stylesheet defines the classes, which keeps the markup small and the look in one place.
/// </summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _svg = new();

    /// <summary>
    /// Opens the SVG with an accessible name: role="img" and a title (and description) that screen readers announce
    /// and browsers show as a tooltip. <paramref name="id"/> must be unique in the page.
    /// </summary>
    public SvgBuilder(string id, double width, double height, string title, string description, string cssClass)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"{cssClass}\" id=\"{Escape(id)}\" role=\"img\" aria-labelledby=\"{Escape(id)}-title {Escape(id)}-desc\" ")
            .Append(CultureInfo.InvariantCulture, $"width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\">\n")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"{Escape(id)}-title\">{Escape(title)}</title>\n")
            .Append(CultureInfo.InvariantCulture, $"<desc id=\"{Escape(id)}-desc\">{Escape(description)}</desc>\n");
    }

    /// <summary>A coordinate or length: invariant culture, at most two decimals.</summary>
    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => ReportText.Escape(text);

    /// <summary>Text at (x, y); <paramref name="anchor"/> is start, middle or end; optionally rotated about its anchor.</summary>
    public void Text(double x, double y, string text, string cssClass, string anchor = "start", double rotate = 0)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<text class=\"{cssClass}\" x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\"");
        if (rotate != 0)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"");
        }

        _svg.Append(CultureInfo.InvariantCulture, $">{Escape(text)}</text>\n");
    }

    /// <summary>Lines of text, one below the other, the first with its baseline at <paramref name="y"/>.</summary>
    public void TextLines(double x, double y, IReadOnlyList<string> lines, double lineHeight, string cssClass, string anchor = "start")
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<text class=\"{cssClass}\" x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\">");
        for (var i = 0; i < lines.Count; i++)
        {
            _svg.Append(CultureInfo.InvariantCulture, $"<tspan x=\"{N(x)}\" dy=\"{(i == 0 ? "0" : N(lineHeight))}\">{Escape(lines[i])}</tspan>");
        }

        _svg.Append("</text>\n");
    }

    public void Line(double x1, double y1, double x2, double y2, string cssClass) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<line class=\"{cssClass}\" x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\"/>\n");

    /// <summary>A rectangle; <paramref name="fill"/> is a colour or null for the class's fill; <paramref name="tooltip"/> becomes its title.</summary>
    public void Rect(double x, double y, double width, double height, string cssClass, string? fill = null, string? tooltip = null, double radius = 0)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cssClass}\" x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(0, width))}\" height=\"{N(Math.Max(0, height))}\"");
        if (radius > 0)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" rx=\"{N(radius)}\"");
        }

        AppendFill(fill);
        CloseWithTooltip("rect", tooltip);
    }

    /// <summary>A path from SVG path data built by the caller (coordinates formatted with <see cref="N"/>).</summary>
    public void Path(string data, string cssClass, string? stroke = null, double? strokeWidth = null, string? fill = null, string? tooltip = null, string? dash = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<path class=\"{cssClass}\" d=\"{data}\"");
        if (dash is not null)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" stroke-dasharray=\"{Escape(dash)}\"");
        }

        if (stroke is not null)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" stroke=\"{Escape(stroke)}\"");
        }

        if (strokeWidth is { } w)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" stroke-width=\"{N(w)}\"");
        }

        AppendFill(fill);
        CloseWithTooltip("path", tooltip);
    }

    public void Circle(double cx, double cy, double r, string cssClass, string? fill = null, string? tooltip = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"{cssClass}\" cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\"");
        AppendFill(fill);
        CloseWithTooltip("circle", tooltip);
    }

    public void OpenGroup(string cssClass) => _svg.Append(CultureInfo.InvariantCulture, $"<g class=\"{cssClass}\">\n");

    public void CloseGroup() => _svg.Append("</g>\n");

    /// <summary>Closes the SVG and returns its markup.</summary>
    public string Finish() => _svg.Append("</svg>\n").ToString();

    private void AppendFill(string? fill)
    {
        if (fill is not null)
        {
            _svg.Append(CultureInfo.InvariantCulture, $" fill=\"{Escape(fill)}\"");
        }
    }

    private void CloseWithTooltip(string element, string? tooltip)
    {
        if (tooltip is null)
        {
            _svg.Append("/>\n");
            return;
        }

        _svg.Append(CultureInfo.InvariantCulture, $"><title>{Escape(tooltip)}</title></{element}>\n");
    }
}
