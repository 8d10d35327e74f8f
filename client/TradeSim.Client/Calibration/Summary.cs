using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace TradeSim.Client.Calibration;

/// <summary>Mean, standard deviation and a Student-t confidence interval of replicated values.</summary>
internal readonly record struct Summary(double Mean, double StandardDeviation, double CiLow, double CiHigh, int N)
{
    public static Summary Of(IReadOnlyList<double> values, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        if (n == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        var mean = values.Mean();
        if (n == 1)
        {
            return new Summary(mean, 0, mean, mean, 1);
        }

        var sd = values.StandardDeviation();
        var t = StudentT.InvCDF(0, 1, n - 1, 1 - ((1 - confidence) / 2));
        var half = t * sd / Math.Sqrt(n);
        return new Summary(mean, sd, mean - half, mean + half, n);
    }
}
