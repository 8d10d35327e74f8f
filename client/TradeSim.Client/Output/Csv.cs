using System.Globalization;
using System.Text;

namespace TradeSim.Client.Output;

/// <summary>A small RFC 4180 writer: UTF-8 without BOM, LF line ends, invariant-culture numbers (doubles round-trip).</summary>
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
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
