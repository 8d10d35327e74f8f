using System.Globalization;

namespace TradeSim.Client.Report;

/// <summary>
/// A value axis whose ticks are round numbers: 1, 2 or 5 times a power of ten, covering the data with a few ticks
/// (0, 200, 400, ... rather than 0, 173, 346, ...), so readers can read values off the gridlines.
/// </summary>
internal readonly record struct AxisScale(double Min, double Max, double Step)
{
    /// <summary>Whether the axis is logarithmic: ticks at powers of ten from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public bool IsLogarithmic { get; private init; }

    /// <summary>A base-10 logarithmic scale from the power of ten at or below <paramref name="lowestPositive"/> to the one at or above <paramref name="high"/>.</summary>
    public static AxisScale Logarithmic(double lowestPositive, double high)
    {
        var min = Math.Pow(10, Math.Floor(Math.Log10(lowestPositive) + 1e-9));
        var max = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(high, lowestPositive * 10)) - 1e-9));
        return new AxisScale(min, max, 10) { IsLogarithmic = true };
    }

    /// <summary>A scale covering <paramref name="low"/>..<paramref name="high"/> with about <paramref name="targetTicks"/> intervals.</summary>
    public static AxisScale Covering(double low, double high, int targetTicks = 5)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            (low, high) = (0, 1);
        }

        if (high < low)
        {
            (low, high) = (high, low);
        }

        // All values equal (typically all zero, as at a closed gate): open a range around them so there is an axis.
        if (high - low < 1e-12)
        {
            var pad = Math.Abs(high) > 0 ? Math.Abs(high) * 0.5 : 1;
            (low, high) = (low >= 0 ? Math.Max(0, low - pad) : low - pad, high + pad);
        }

        var step = NiceStep((high - low) / Math.Max(1, targetTicks));
        var min = Math.Floor((low / step) + 1e-9) * step;
        var max = Math.Ceiling((high / step) - 1e-9) * step;
        return new AxisScale(min, max, step);
    }

    /// <summary>The smallest 1, 2 or 5 x 10^k that is at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var nice = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10;
        return nice * power;
    }

    public IReadOnlyList<double> Ticks
    {
        get
        {
            if (IsLogarithmic)
            {
                var decades = (int)Math.Round(Math.Log10(Max / Min));
                var powers = new double[decades + 1];
                for (var i = 0; i <= decades; i++)
                {
                    powers[i] = Min * Math.Pow(10, i);
                }

                return powers;
            }

            var count = (int)Math.Round((Max - Min) / Step);
            var ticks = new double[count + 1];
            for (var i = 0; i <= count; i++)
            {
                // Computed from the index, not by repeated addition, so 0.1 + 0.2 never shows as 0.30000000000000004.
                ticks[i] = Math.Round(Min + (i * Step), 10);
            }

            return ticks;
        }
    }

    /// <summary>Where <paramref name="value"/> falls between <see cref="Min"/> (0) and <see cref="Max"/> (1).</summary>
    public double Fraction(double value) =>
        IsLogarithmic
            ? Math.Clamp((Math.Log10(Math.Max(value, Min)) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)), 0, 1)
            : (value - Min) / (Max - Min);

    /// <summary>
    /// A tick label with as many decimals as the step needs. Millions and billions are shortened (1.5M) so labels
    /// stay narrow; smaller numbers keep thousands separators (150,000).
    /// </summary>
    public string Label(double value)
    {
        // A logarithmic axis spans magnitudes: each tick is shortened by its own.
        var magnitude = IsLogarithmic ? Math.Abs(value) : Math.Max(Math.Abs(Min), Math.Abs(Max));
        var (divisor, suffix) = magnitude >= 1e9 ? (1e9, "B") : magnitude >= 1e6 ? (1e6, "M") : (1.0, string.Empty);
        var step = (IsLogarithmic ? Math.Min(value, Max) : Step) / divisor;
        var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        var text = ReportText.Number(value / divisor, decimals);
        return value == 0 ? "0" : text + suffix;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min}, {Max}] step {Step}");
}
