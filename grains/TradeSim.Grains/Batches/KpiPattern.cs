using System.Text.RegularExpressions;

namespace TradeSim.Grains.Batches;

/// <summary>
/// The KPIs `--precision-kpi` chooses: glob patterns over KPI names, where <c>*</c> stands for any characters (dots
/// included, so <c>post.*.utilisation</c> takes every post) and <c>?</c> for one. With no pattern the headline KPIs
/// are chosen.
/// </summary>
public sealed class KpiPattern
{
    private readonly IReadOnlyList<string> _patterns;
    private readonly Regex[] _regexes;

    public KpiPattern(IReadOnlyList<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        _patterns = patterns;
        _regexes = [.. patterns.Select(p => new Regex(
            "^" + Regex.Escape(p).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking))];
    }

    /// <summary>Whether the rule judges <paramref name="kpi"/>.</summary>
    public bool Selects(string kpi) =>
        _regexes.Length == 0 ? Kernel.KpiCatalogue.IsHeadline(kpi) : _regexes.Any(r => r.IsMatch(kpi));

    /// <summary>Whether a pattern is the KPI's name itself, with no wildcard: the user asked for this KPI whatever its traffic.</summary>
    public bool NamesExactly(string kpi) => _patterns.Any(p => p == kpi);

    /// <summary>
    /// Why <paramref name="pattern"/> cannot choose a KPI, or null. A name without wildcards must be a KPI of the
    /// catalogue; a glob's first part must match a group ("gate", "post", ...) and its last part a measure of the
    /// catalogue, so a misspelt measure is caught before a batch runs.
    /// </summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var expected = $"expected a KPI name or a glob over KPI names such as {string.Join(", ", Kernel.KpiCatalogue.All.Where(m => m.Headline).Select(m => m.Pattern.Replace(".G.", ".*.", StringComparison.Ordinal).Replace(".C.", ".*.", StringComparison.Ordinal)))} (`tradesim kpis` lists every KPI)";
        if (pattern.Length == 0)
        {
            return $"the pattern is empty: {expected}";
        }

        var parts = pattern.Split('.');
        var first = new KpiPattern([parts[0]]);
        var last = new KpiPattern([parts[^1]]);
        var wild = pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal);
        var fits = wild
            ? (parts[0].Contains('*', StringComparison.Ordinal) || Enum.GetValues<Kernel.KpiGroup>().Any(g => first.Matches(Kernel.KpiCatalogue.Prefix(g))))
              && (parts[^1].Contains('*', StringComparison.Ordinal) || Kernel.KpiCatalogue.All.Any(m => last.Matches(m.Measure)))
            : Kernel.KpiCatalogue.Find(pattern) is not null;
        return fits ? null : $"'{pattern}' matches no KPI: {expected}";
    }

    private bool Matches(string text) => _regexes.Any(r => r.IsMatch(text));
}
