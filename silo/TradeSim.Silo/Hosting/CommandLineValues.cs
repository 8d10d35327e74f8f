using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// Options whose values are checked where they are parsed, for `tradesim` and `tradesim-silo`: a value that does not
/// parse, is out of range or is given twice is a parse error naming the option, what it expects and what it got (never
/// an exception from System.CommandLine's converter, whose message names .NET types). Command validators that read
/// values are added with <see cref="AddCombinationCheck"/>, since reading a failed value throws.
/// </summary>
public static class CommandLineValues
{
    /// <summary>Parses one option value; false when the text is not a valid value.</summary>
    public delegate bool Parse<T>(string text, out T value);

    /// <summary>
    /// A single-valued option: <paramref name="parse"/> decides what is valid and <paramref name="expected"/> says it
    /// ("a whole number from 1 to 100000"). Without <paramref name="defaultValue"/>, an option not given is default(T).
    /// </summary>
    public static Option<T> Single<T>(string name, string description, string expected, Parse<T> parse, Func<T>? defaultValue = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var option = new Option<T>(name) { Description = description };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue();
        }

        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return defaultValue is null ? default! : defaultValue();
            }

            if (result.Tokens.Count > 1)
            {
                result.AddError($"{name} is given {result.Tokens.Count} times: give it once");
                return default!;
            }

            var text = result.Tokens[0].Value;
            if (parse(text, out var value))
            {
                return value;
            }

            result.AddError($"{name} must be {expected}, not {Quote(text)}");
            return default!;
        };
        return option;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<int> Int(string name, string description, int min, int max, Func<int>? defaultValue = null) =>
        Single(name, description, $"a whole number from {Format(min)} to {Format(max)}", IntIn(min, max), defaultValue);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or nothing when not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max) =>
        Single(name, description, $"a whole number from {Format(min)} to {Format(max)}", OrNothing(IntIn(min, max)));

    /// <summary>A non-negative whole number up to <see cref="long.MaxValue"/> (an id), or nothing when not given.</summary>
    public static Option<long?> OptionalId(string name, string description) =>
        Single(name, description, "a batch id (a whole number from 1)", OrNothing((string text, out long value) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1));

    /// <summary>A seed: a whole number from 0 to 18446744073709551615.</summary>
    public static Option<ulong> Seed(string name, string description, ulong defaultValue) =>
        Single(name, description, $"a whole number from 0 to {ulong.MaxValue.ToString(CultureInfo.InvariantCulture)}", (string text, out ulong value) =>
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value), () => defaultValue);

    /// <summary>A finite number above <paramref name="above"/> and at most <paramref name="atMost"/> (NaN and infinities refused).</summary>
    public static Option<double> Fraction(string name, string description, double above, double atMost, string example, Func<double> defaultValue) =>
        Single(name, description, $"a number above {Format(above)} and at most {Format(atMost)}, e.g. {example}", FractionIn(above, atMost), defaultValue);

    /// <summary>As <see cref="Fraction"/>, or nothing when not given.</summary>
    public static Option<double?> OptionalFraction(string name, string description, double above, double atMost, string example) =>
        Single(name, description, $"a number above {Format(above)} and at most {Format(atMost)}, e.g. {example}", OrNothing(FractionIn(above, atMost)));

    /// <summary>A text given at most once (an option given twice is an error, not "the last one wins").</summary>
    public static Option<string?> Text(string name, string description) =>
        Single<string?>(name, description, "a text", (string text, out string? value) =>
        {
            value = text;
            return true;
        });

    /// <summary>
    /// A file or folder path given at most once. An empty or blank path is refused here, where the option is named:
    /// .NET's file APIs would otherwise throw on it (or SQLite open a temporary database and lose the results), and a
    /// NUL cannot be in a Linux path.
    /// </summary>
    public static Option<string?> OptionalPath(string name, string description) =>
        Single<string?>(name, description, "a file or folder path", IsPath);

    /// <summary>As <see cref="OptionalPath"/>, with a default when not given.</summary>
    public static Option<string> Path(string name, string description, Func<string> defaultValue) =>
        Single(name, description, "a file or folder path", (string text, out string value) =>
        {
            value = text;
            return IsPath(text);
        }, defaultValue);

    private static bool IsPath(string text, out string? value)
    {
        value = text;
        return IsPath(text);
    }

    private static bool IsPath(string text) => !string.IsNullOrWhiteSpace(text) && !text.Contains('\0', StringComparison.Ordinal);

    /// <summary>
    /// A command validator that checks combinations of values: it runs only when every value it reads parsed. System
    /// .CommandLine converts values lazily and throws when a validator reads one that failed (a bad number, an option
    /// given twice); that failure is already a parse error of its own, reported with the others, so the combination
    /// is not checked.
    /// </summary>
    public static void AddCombinationCheck(Command command, Action<CommandResult> check)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(check);
        command.Validators.Add(result =>
        {
            try
            {
                check(result);
            }
            catch (InvalidOperationException)
            {
            }
        });
    }

    /// <summary>
    /// A value as it may be shown in a message: quoted, cut to 60 characters, control characters escaped, so that
    /// what a user typed (or a file holds) cannot move the cursor or recolour the terminal.
    /// </summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int Limit = 60;
        var shown = text.Length > Limit ? text[..Limit] : text;
        return "'" + EscapeControls(shown) + (text.Length > Limit ? "...'" : "'");
    }

    /// <summary>The first line of a message, control characters escaped: what an error line may show.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EscapeControls(text.Split('\n', 2)[0].TrimEnd('\r'));
    }

    /// <summary>Replaces control characters (C0, DEL, C1) with \u escapes; other text is unchanged.</summary>
    public static string EscapeControls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (IsControl(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';

    /// <summary>The parse of an optional value: the same check, the value or nothing.</summary>
    private static Parse<T?> OrNothing<T>(Parse<T> parse)
        where T : struct => (string text, out T? value) =>
    {
        var ok = parse(text, out var parsed);
        value = ok ? parsed : null;
        return ok;
    };

    private static Parse<int> IntIn(int min, int max) => (string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static Parse<double> FractionIn(double above, double atMost) => (string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value > above && value <= atMost;

    private static string Format(double value) => value.ToString("#,0.####", CultureInfo.InvariantCulture).Replace(",", string.Empty, StringComparison.Ordinal);
}
