using TradeSim.Client.Calibration;

namespace TradeSim.Client.Tests;

/// <summary>
/// The least-squares fit `calibrate` uses (issue 13, item 4), on models whose answer is known by hand: it recovers
/// the parameters that produced the targets, keeps to its bounds, and leaves alone a parameter no target reads.
/// </summary>
public sealed class CalibrationFitTests
{
    // Two flows of 34 t and 28 t loads: tonnes = b + s and trips = b / 34 + s / 28, for b = 97,800 and s = 32,400
    // tonnes: 130,200 t and 2,876.47 + 1,157.14 = 4,033.61 trips.
    private static double[] TwoFlows(double[] v) => [v[0] + v[1], (v[0] / 34) + (v[1] / 28)];

    private static readonly double[] Observed = [130_200, (97_800 / 34.0) + (32_400 / 28.0)];

    [Fact]
    public void TwoParametersTwoTargets_RecoversTheValuesThatMadeThem()
    {
        FitParameter[] parameters = [new("flows.b.tonnes_per_year", 1, 1e6), new("flows.s.tonnes_per_year", 1, 1e6)];

        var fit = CalibrationFit.Fit(parameters, [146_700, 48_600], Observed, TwoFlows, tolerance: 1e-9, maxIterations: 20);

        Assert.Equal(97_800, fit.Values[0], 3);
        Assert.Equal(32_400, fit.Values[1], 3);
        Assert.All(fit.RelativeErrors, e => Assert.True(Math.Abs(e) <= 1e-9, $"{e}"));
        Assert.Equal("every fitted target within the tolerance", fit.Stopped);

        // Each accepted step lowered the squared errors.
        Assert.True(fit.Path.Zip(fit.Path.Skip(1)).All(s => s.Second.SumOfSquares < s.First.SumOfSquares));
    }

    [Fact]
    public void ABound_HoldsTheParameter_AndTheFitSaysSo()
    {
        // The starch flow may not go below 40,000 t: the fit cannot reach 32,400 and ends at the bound.
        FitParameter[] parameters = [new("flows.b.tonnes_per_year", 1, 1e6), new("flows.s.tonnes_per_year", 40_000, 1e6)];

        var fit = CalibrationFit.Fit(parameters, [146_700, 48_600], Observed, TwoFlows, tolerance: 1e-6, maxIterations: 50);

        Assert.Equal(40_000, fit.Values[1]);
        Assert.Contains(fit.RelativeErrors, e => Math.Abs(e) > 1e-6);
        Assert.NotEqual("every fitted target within the tolerance", fit.Stopped);
    }

    [Fact]
    public void AParameterNoTargetReads_StaysWhereItStarted()
    {
        FitParameter[] parameters = [new("flows.b.tonnes_per_year", 1, 1e6), new("flows.unused.tonnes_per_year", 1, 1e6)];
        static double[] OnlyB(double[] v) => [v[0]];

        var fit = CalibrationFit.Fit(parameters, [50_000, 1_234], [97_800], OnlyB, tolerance: 1e-9, maxIterations: 20);

        Assert.Equal(97_800, fit.Values[0], 3);
        Assert.Equal(1_234, fit.Values[1], 6);
    }
}
