using TradeSim.Client.Output;

namespace TradeSim.Client.Tests;

/// <summary>CSV fields: RFC 4180 quoting, and text a spreadsheet would run as a formula neutralised (issue 10, item 7).</summary>
public sealed class CsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("baseline", "baseline")]
    [InlineData("a,b", "\"a,b\"")]
    public void TextField_IsQuotedAndNeutralised(string text, string expected) => Assert.Equal(expected + "\n", Line(text));

    [Fact]
    public void Numbers_AreNeverPrefixed()
    {
        Assert.Equal("-5,-0.25,3\n", Line(-5, -0.25, 3L));
    }

    private static string Line(params object[] values)
    {
        using var writer = new StringWriter();
        Csv.Row(writer, values);
        return writer.ToString();
    }
}
