using TradeSim.Client.Statistics;

namespace TradeSim.Client.Tests;

/// <summary>The daily queue band kept in fixed memory: exact percentiles for small batches, close estimates for large ones.</summary>
public sealed class StreamingBandTests
{
    [Fact]
    public void UpToSixtyFourValues_BandIsExact()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, StreamingBand.ExactUpTo).Select(_ => random.NextDouble() * 40).ToArray();
        var band = new StreamingBand(0.1, 0.9);

        foreach (var value in values)
        {
            band.Add(value);
        }

        Assert.Equal(MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.1), band.Low);
        Assert.Equal(MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.9), band.High);
        Assert.Equal(values.Average(), band.Mean, 1e-12);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void ManySkewedValues_BandIsWithinAFewPercentOfTheExactPercentiles(int count)
    {
        // Queue lengths are skewed: exponential, mean 10 (10th percentile 1.05, 90th 23.0).
        var random = new Random(11);
        var values = Enumerable.Range(0, count).Select(_ => -10 * Math.Log(1 - random.NextDouble())).ToArray();
        var band = new StreamingBand(0.1, 0.9);

        foreach (var value in values)
        {
            band.Add(value);
        }

        var low = MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.1);
        var high = MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.9);
        Assert.InRange(band.Low, low * 0.95, low * 1.05);
        Assert.InRange(band.High, high * 0.97, high * 1.03);
        Assert.Equal(count, band.N);
    }

    [Fact]
    public void NoValues_BandIsUndefined()
    {
        var band = new StreamingBand(0.1, 0.9);

        Assert.True(double.IsNaN(band.Mean) && double.IsNaN(band.Low) && double.IsNaN(band.High));
    }
}
