using System.Globalization;
using System.Text;

namespace TradeSim.Client.Output;

/// <summary>
/// A small RFC 4180 writer: UTF-8 without BOM, LF line ends, invariant-culture numbers (doubles round-trip). A text
/// field that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return: a scenario
/// named `=HYPERLINK(...)`, say) is written with a leading apostrophe, so it opens as text; numbers are never changed.
/// </summary>
internal static class Csv
{
    public static string WriteFile(string path, Action<TextWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        body(writer);
        return path;
    }

    /// <summary>One record: fields quoted when they hold a comma, quote or line break.</summary>
    public static void Row(TextWriter csv, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                csv.Write(',');
            }

            csv.Write(Field(values[i]));
        }

        csv.Write('\n');
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            double d when double.IsNaN(d) => string.Empty,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            string s when s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' => "'" + s,
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
