using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Tests;

/// <summary>
/// <see cref="Summary"/> and <see cref="Difference"/> against numbers worked out by hand. The Student-t quantiles were
/// computed outside this code base (the regularised incomplete beta function inverted to 30 digits with mpmath), so
/// no expected value here comes from the code under test.
/// </summary>
public sealed class StatisticsTests
{
    // t(0.975, nu): the two-sided 95% Student-t quantiles used below.
    private const double T975Df3 = 3.18244630528370959;
    private const double T975Df4 = 2.77644510519779436;
    private const double T975Df9 = 2.26215716279820554;

    [Fact]
    public void StudentQuantile_KnownDegreesOfFreedom_MatchesTables()
    {
        Assert.Equal(T975Df3, Summary.StudentQuantile(3), 9);
        Assert.Equal(T975Df4, Summary.StudentQuantile(4), 9);
        Assert.Equal(T975Df9, Summary.StudentQuantile(9), 9);

        // 90% two-sided is the 0.95 quantile: 2.131847 for 4 degrees of freedom; a normal-like 1.96 for very many.
        Assert.Equal(2.131846786, Summary.StudentQuantile(4, 0.90), 6);
        Assert.Equal(1.9599642218, Summary.StudentQuantile(1e7), 5);
    }

    [Fact]
    public void Of_FiveValues_MatchesHandComputedMeanSdAndInterval()
    {
        // values 10, 12, 9, 11, 13
        // sum = 55, n = 5, mean = 55 / 5 = 11
        // deviations -1, 1, -2, 0, 2; squares 1, 1, 4, 0, 4; sum of squares = 10
        // sample variance = 10 / (5 - 1) = 2.5; sd = sqrt(2.5) = 1.5811388301
        // standard error = sd / sqrt(5) = sqrt(2.5 / 5) = sqrt(0.5) = 0.7071067812
        // t(0.975, 4) = 2.7764451052; half-width = 2.7764451052 * 0.7071067812 = 1.9632431615
        // interval = 11 -+ 1.9632431615 = [9.0367568385, 12.9632431615]
        var s = Summary.Of([10, 12, 9, 11, 13]);

        Assert.Equal(5, s.N);
        Assert.Equal(11, s.Mean, 1e-12);
        Assert.Equal(1.5811388301, s.StandardDeviation, 1e-5);
        Assert.Equal(1.96324, s.HalfWidth, 1e-5);
        Assert.Equal(9.0367568385, s.CiLow, 1e-5);
        Assert.Equal(12.9632431615, s.CiHigh, 1e-5);
        Assert.Equal(s.Mean, (s.CiLow + s.CiHigh) / 2, 1e-12);
    }

    [Fact]
    public void RunningMoments_FiveValues_MatchesTheHandComputedSummary()
    {
        // The same values and figures as above, added one at a time.
        var running = default(RunningMoments);
        foreach (var value in new double[] { 10, 12, 9, 11, 13 })
        {
            running.Add(value);
        }

        var s = Summary.From(running);

        Assert.Equal(5, s.N);
        Assert.Equal(11, s.Mean, 1e-12);
        Assert.Equal(1.5811388301, s.StandardDeviation, 1e-9);
        Assert.Equal(9.0367568385, s.CiLow, 1e-5);
        Assert.Equal(12.9632431615, s.CiHigh, 1e-5);
    }

    [Fact]
    public void RunningMoments_LargeOffset_KeepsTheSpread()
    {
        // 1e9 + {10, 12, 9, 11, 13}: a sum-of-squares formula loses the variance 2.5 to rounding; Welford's does not.
        var running = default(RunningMoments);
        foreach (var value in new double[] { 10, 12, 9, 11, 13 })
        {
            running.Add(1e9 + value);
        }

        Assert.Equal(1.5811388301, Summary.From(running).StandardDeviation, 1e-6);
        Assert.Equal(0, Summary.From(default).N);
    }

    [Fact]
    public void Of_NinetyPercent_IsNarrowerThanNinetyFive()
    {
        // Same values; t(0.95, 4) = 2.1318467863, half-width = 2.1318467863 * 0.7071067812 = 1.5074433191.
        var s90 = Summary.Of([10, 12, 9, 11, 13], 0.90);

        Assert.Equal(1.5074433191, s90.HalfWidth, 1e-5);
        Assert.True(s90.HalfWidth < Summary.Of([10, 12, 9, 11, 13]).HalfWidth);
    }

    [Fact]
    public void Of_ConstantValues_ZeroWidthAtTheValue()
    {
        var s = Summary.Of([4.25, 4.25, 4.25]);

        Assert.Equal(3, s.N);
        Assert.Equal(4.25, s.Mean);
        Assert.Equal(0, s.StandardDeviation);
        Assert.Equal(0, s.HalfWidth);
        Assert.Equal(4.25, s.CiLow);
        Assert.Equal(4.25, s.CiHigh);
    }

    [Fact]
    public void Of_OneValue_MeanWithZeroWidthInterval()
    {
        // One replication has no spread estimate: the code reports sd 0 and the point as a zero-width interval.
        var s = Summary.Of([7.5]);

        Assert.Equal(1, s.N);
        Assert.Equal(7.5, s.Mean);
        Assert.Equal(0, s.StandardDeviation);
        Assert.Equal(7.5, s.CiLow);
        Assert.Equal(7.5, s.CiHigh);
        Assert.Equal(0, s.HalfWidth);
    }

    [Fact]
    public void Of_NoValues_AllNaNAndNZero()
    {
        var s = Summary.Of([]);

        Assert.Equal(0, s.N);
        Assert.True(double.IsNaN(s.Mean));
        Assert.True(double.IsNaN(s.StandardDeviation));
        Assert.True(double.IsNaN(s.CiLow));
        Assert.True(double.IsNaN(s.CiHigh));
        Assert.True(double.IsNaN(s.HalfWidth));
    }

    [Fact]
    public void Paired_HandExample_MatchesHandComputedIntervalAndPercent()
    {
        // scenario 5, 7, 6, 8 against baseline 4, 5, 5, 6
        // differences 1, 2, 1, 2: mean = 6 / 4 = 1.5
        // deviations -0.5, 0.5, -0.5, 0.5; sum of squares = 4 * 0.25 = 1; variance = 1 / 3; sd = 0.5773502692
        // standard error = 0.5773502692 / sqrt(4) = 0.2886751346
        // t(0.975, 3) = 3.1824463053; half-width = 3.1824463053 * 0.2886751346 = 0.9186931155
        // interval = 1.5 -+ 0.9186931155 = [0.5813068845, 2.4186931155]: above zero, so significant
        // baseline mean = 20 / 4 = 5; percent = 1.5 / 5 * 100 = 30
        var d = Difference.Paired([5, 7, 6, 8], [4, 5, 5, 6]);

        Assert.Equal(4, d.N);
        Assert.Equal(1.5, d.MeanDifference, 1e-12);
        Assert.Equal(0.918693, d.HalfWidth, 1e-5);
        Assert.Equal(0.5813068845, d.CiLow, 1e-5);
        Assert.Equal(2.4186931155, d.CiHigh, 1e-5);
        Assert.Equal(30, d.Percent, 1e-9);
        Assert.True(d.IsSignificant);
    }

    [Fact]
    public void Paired_IntervalSpansZero_NotSignificant()
    {
        // scenario 5, 3, 6, 4 against baseline 4, 5, 5, 6
        // differences 1, -2, 1, -2: mean = -2 / 4 = -0.5
        // deviations 1.5, -1.5, 1.5, -1.5; sum of squares = 4 * 2.25 = 9; variance = 9 / 3 = 3; sd = 1.7320508076
        // half-width = 3.1824463053 * 1.7320508076 / 2 = 2.7560793466
        // interval = [-3.2560793466, 2.2560793466] holds zero; percent = -0.5 / 5 * 100 = -10
        var d = Difference.Paired([5, 3, 6, 4], [4, 5, 5, 6]);

        Assert.Equal(-0.5, d.MeanDifference, 1e-12);
        Assert.Equal(2.7560793466, d.HalfWidth, 1e-5);
        Assert.True(d.CiLow < 0 && d.CiHigh > 0);
        Assert.Equal(-10, d.Percent, 1e-9);
        Assert.False(d.IsSignificant);
    }

    [Fact]
    public void Paired_NegativeEffect_SignificantBelowZero()
    {
        // The hand example with sides swapped: differences -1, -2, -1, -2, interval [-2.4187, -0.5813].
        // baseline mean = (5 + 7 + 6 + 8) / 4 = 6.5; percent = -1.5 / 6.5 * 100 = -23.0769230769
        var d = Difference.Paired([4, 5, 5, 6], [5, 7, 6, 8]);

        Assert.Equal(-2.4186931155, d.CiLow, 1e-5);
        Assert.Equal(-0.5813068845, d.CiHigh, 1e-5);
        Assert.Equal(-23.0769230769, d.Percent, 1e-6);
        Assert.True(d.IsSignificant);
    }

    [Fact]
    public void Paired_IdenticalSamples_ZeroDifferenceNotSignificant()
    {
        var d = Difference.Paired([3, 1, 4, 1, 5], [3, 1, 4, 1, 5]);

        Assert.Equal(0, d.MeanDifference);
        Assert.Equal(0, d.CiLow);
        Assert.Equal(0, d.CiHigh);
        Assert.Equal(0, d.Percent);
        Assert.False(d.IsSignificant);
    }

    [Fact]
    public void Paired_ConstantShift_ZeroWidthAndSignificant()
    {
        // Differences 2, 2, 2: no spread, so the interval is the point 2, which lies above zero.
        var d = Difference.Paired([3, 5, 9], [1, 3, 7]);

        Assert.Equal(2, d.MeanDifference);
        Assert.Equal(0, d.HalfWidth);
        Assert.True(d.IsSignificant);
    }

    [Fact]
    public void Paired_BaselineMeanZero_PercentIsNaN()
    {
        var d = Difference.Paired([1, 2, 3], [-1, 0, 1]);

        Assert.Equal(2, d.MeanDifference, 1e-12);
        Assert.True(double.IsNaN(d.Percent));
    }

    [Fact]
    public void Paired_OneReplication_ZeroWidthButNeverSignificant()
    {
        // n = 1: the difference is known but nothing about its noise, so no claim of significance.
        var d = Difference.Paired([9], [4]);

        Assert.Equal(1, d.N);
        Assert.Equal(5, d.MeanDifference);
        Assert.Equal(5, d.CiLow);
        Assert.Equal(5, d.CiHigh);
        Assert.Equal(125, d.Percent, 1e-9);
        Assert.False(d.IsSignificant);
    }

    [Fact]
    public void Paired_NoReplications_NaNAndNotSignificant()
    {
        var d = Difference.Paired([], []);

        Assert.Equal(0, d.N);
        Assert.True(double.IsNaN(d.MeanDifference));
        Assert.True(double.IsNaN(d.CiLow));
        Assert.True(double.IsNaN(d.Percent));
        Assert.False(d.IsSignificant);
    }

    [Fact]
    public void Paired_DifferentLengths_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Difference.Paired([1, 2, 3], [1, 2]));

        Assert.Contains("same length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Welch_UnequalSizesAndVariances_MatchesHandComputedWelchSatterthwaite()
    {
        // scenario a = 5, 7, 6, 8: n = 4, mean 6.5, deviations -1.5, 0.5, -0.5, 1.5, sum of squares 5, variance 5/3
        // baseline b = 2, 4, 3, 6, 5: n = 5, mean 4, deviations -2, 0, -1, 2, 1, sum of squares 10, variance 10/4 = 2.5
        // va = s_a^2 / n_a = (5/3) / 4 = 5/12 = 0.4166667;  vb = s_b^2 / n_b = 2.5 / 5 = 1/2 = 0.5
        // se = sqrt(va + vb) = sqrt(5/12 + 6/12) = sqrt(11/12) = 0.9574271078
        // Welch-Satterthwaite:
        //   df = (va + vb)^2 / (va^2 / (n_a - 1) + vb^2 / (n_b - 1))
        //      = (11/12)^2 / ((5/12)^2 / 3 + (1/2)^2 / 4)
        //      = (121/144) / (25/432 + 1/16)
        //      = (121/144) / (25/432 + 27/432) = (121/144) / (52/432)
        //      = (121/144) * (432/52) = 121 * 3 / 52 = 363/52 = 6.9807692308
        // t(0.975, 6.9807692308) = 2.3659454212 (a little above t(0.975, 7) = 2.3646243)
        // half-width = 2.3659454212 * 0.9574271078 = 2.2652202818
        // mean difference = 6.5 - 4 = 2.5; interval [0.2347797182, 4.7652202818]; percent = 2.5 / 4 * 100 = 62.5
        // N reported = min(4, 5) = 4
        var d = Difference.Welch([5, 7, 6, 8], [2, 4, 3, 6, 5]);

        Assert.Equal(2.5, d.MeanDifference, 1e-12);
        Assert.Equal(2.2652202818, d.HalfWidth, 1e-5);
        Assert.Equal(0.2347797182, d.CiLow, 1e-5);
        Assert.Equal(4.7652202818, d.CiHigh, 1e-5);
        Assert.Equal(62.5, d.Percent, 1e-9);
        Assert.Equal(4, d.N);
        Assert.True(d.IsSignificant);
    }

    [Fact]
    public void Welch_PairedHandExample_IsWiderThanPaired()
    {
        // The paired example unpaired: a = 5, 7, 6, 8 (variance 5/3), b = 4, 5, 5, 6 (variance 2/3), n = 4 each.
        // va = 5/12, vb = 2/12; se = sqrt(7/12) = 0.7637626158
        // df = (7/12)^2 / ((5/12)^2 / 3 + (2/12)^2 / 3) = (49/144) / (29/432) = 49 * 3 / 29 = 147/29 = 5.0689655
        // t(0.975, 5.0689655) = 2.5600980148; half-width = 2.5600980148 * 0.7637626158 = 1.9553071566
        // The pairing removed the common noise: sd of the differences 0.577 against se * sqrt(4) = 1.528 unpaired.
        var welch = Difference.Welch([5, 7, 6, 8], [4, 5, 5, 6]);
        var paired = Difference.Paired([5, 7, 6, 8], [4, 5, 5, 6]);

        Assert.Equal(1.5, welch.MeanDifference, 1e-12);
        Assert.Equal(1.9553071566, welch.HalfWidth, 1e-5);
        Assert.True(paired.HalfWidth < welch.HalfWidth);
    }

    [Fact]
    public void Welch_BothConstant_ZeroWidthAtTheDifference()
    {
        // se = 0: the code uses n_a + n_b - 2 degrees of freedom, which does not matter as the width is 0.
        var d = Difference.Welch([3, 3, 3], [1, 1, 1]);

        Assert.Equal(2, d.MeanDifference);
        Assert.Equal(0, d.HalfWidth);
        Assert.Equal(200, d.Percent, 1e-9);
        Assert.True(d.IsSignificant);
    }

    [Fact]
    public void Welch_OneValueOnASide_ZeroWidthNotSignificant()
    {
        var d = Difference.Welch([10], [4, 5, 6]);

        Assert.Equal(1, d.N);
        Assert.Equal(5, d.MeanDifference, 1e-12);
        Assert.Equal(5, d.CiLow, 1e-12);
        Assert.Equal(5, d.CiHigh, 1e-12);
        Assert.Equal(100, d.Percent, 1e-9);
        Assert.False(d.IsSignificant);
    }

    [Fact]
    public void Welch_NoValues_NaNAndNotSignificant()
    {
        var d = Difference.Welch([], []);

        Assert.Equal(0, d.N);
        Assert.True(double.IsNaN(d.MeanDifference));
        Assert.True(double.IsNaN(d.Percent));
        Assert.False(d.IsSignificant);
    }
}
