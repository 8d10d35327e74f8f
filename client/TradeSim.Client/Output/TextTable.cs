namespace TradeSim.Client.Output;

/// <summary>Plain-text tables for the console: columns padded to their widest cell, two spaces apart, indented by two.</summary>
internal static class TextTable
{
    /// <summary>Writes the header and rows; the first <paramref name="textColumns"/> columns align left, the rest (numbers) right.</summary>
    public static void Write(TextWriter o, string[] header, IEnumerable<string[]> rows, int textColumns)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(header);
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i < textColumns ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            o.WriteLine(("  " + string.Join("  ", cells)).TrimEnd());
        }
    }
}
