namespace TradeSim.Client.Calibration;

/// <summary>A parameter `calibrate` fits: a scenario path, as `--set` takes it, and the bounds it must stay within.</summary>
internal sealed record FitParameter(string Path, double Min, double Max);

/// <summary>One evaluation of the fit: the parameter values and the relative errors of the fitted targets there.</summary>
internal sealed record FitStep(double[] Values, double[] RelativeErrors)
{
    public double SumOfSquares => RelativeErrors.Sum(e => e * e);
}

/// <summary>Where the fit ended: the values, the evaluations it cost, the path it took, and why it stopped.</summary>
internal sealed record FitOutcome(double[] Values, double[] RelativeErrors, int Evaluations, IReadOnlyList<FitStep> Path, string Stopped);

/// <summary>
/// Least squares on relative errors (model − observed) / observed, by Levenberg-Marquardt with a forward-difference
/// Jacobian. The model is evaluated on the same random streams at every point (common random numbers), so a
/// difference of two evaluations is the parameter's effect, not noise, and the fit is a deterministic function of the
/// seed. Parameters move in units of their starting values (a 146,700 t flow and a 0.5 share step alike) and are
/// clipped to their bounds. With as many parameters as targets the fit solves the targets exactly where it can;
/// with fewer it is a compromise, which the report shows target by target.
/// </summary>
internal static class CalibrationFit
{
    /// <summary>The forward-difference step, as a fraction of the parameter: large enough to move whole trucks.</summary>
    public const double DifferenceStep = 0.02;

    public static FitOutcome Fit(IReadOnlyList<FitParameter> parameters, double[] start, double[] observed, Func<double[], double[]> evaluate, double tolerance, int maxIterations)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(evaluate);
        var p = parameters.Count;
        var scale = start.Select(v => Math.Abs(v) > 0 ? Math.Abs(v) : 1).ToArray();
        var evaluations = 0;
        var path = new List<FitStep>();

        double[] Errors(double[] values)
        {
            evaluations++;
            var modelled = evaluate(values);
            return [.. modelled.Select((m, i) => (m - observed[i]) / observed[i])];
        }

        var x = Clip(parameters, (double[])start.Clone());
        var r = Errors(x);
        path.Add(new FitStep((double[])x.Clone(), r));
        var lambda = 1e-3;
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            if (r.All(e => Math.Abs(e) <= tolerance))
            {
                return new FitOutcome(x, r, evaluations, path, "every fitted target within the tolerance");
            }

            // The Jacobian in scaled units: column j is the change of the errors per unit of start value of parameter j.
            var jacobian = new double[r.Length, p];
            for (var j = 0; j < p; j++)
            {
                var probe = (double[])x.Clone();
                var h = DifferenceStep * scale[j];
                probe[j] = x[j] + h <= parameters[j].Max ? x[j] + h : x[j] - h;
                var moved = (probe[j] - x[j]) / scale[j];
                var rj = Errors(probe);
                for (var i = 0; i < r.Length; i++)
                {
                    jacobian[i, j] = (rj[i] - r[i]) / moved;
                }
            }

            var improved = false;
            while (lambda < 1e8)
            {
                var step = Solve(jacobian, r, lambda);
                var candidate = Clip(parameters, [.. x.Select((v, j) => v + (step[j] * scale[j]))]);
                if (candidate.SequenceEqual(x))
                {
                    break;
                }

                var rc = Errors(candidate);
                if (rc.Sum(e => e * e) < r.Sum(e => e * e))
                {
                    x = candidate;
                    r = rc;
                    path.Add(new FitStep((double[])x.Clone(), r));
                    lambda = Math.Max(lambda / 10, 1e-9);
                    improved = true;
                    break;
                }

                lambda *= 10;
            }

            if (!improved)
            {
                return new FitOutcome(x, r, evaluations, path, "no step lowers the squared errors further (a bound, or targets the parameters cannot all meet)");
            }
        }

        return r.All(e => Math.Abs(e) <= tolerance)
            ? new FitOutcome(x, r, evaluations, path, "every fitted target within the tolerance")
            : new FitOutcome(x, r, evaluations, path, $"stopped after {maxIterations} iterations");
    }

    private static double[] Clip(IReadOnlyList<FitParameter> parameters, double[] values)
    {
        for (var j = 0; j < values.Length; j++)
        {
            values[j] = Math.Clamp(values[j], parameters[j].Min, parameters[j].Max);
        }

        return values;
    }

    /// <summary>The damped normal equations (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr, by Gaussian elimination with partial pivoting.</summary>
    internal static double[] Solve(double[,] jacobian, double[] r, double lambda)
    {
        var m = r.Length;
        var p = jacobian.GetLength(1);
        var a = new double[p, p + 1];
        for (var j = 0; j < p; j++)
        {
            for (var k = 0; k < p; k++)
            {
                var sum = 0.0;
                for (var i = 0; i < m; i++)
                {
                    sum += jacobian[i, j] * jacobian[i, k];
                }

                a[j, k] = sum;
            }

            // A parameter no fitted target responds to gets a tiny diagonal, so it stays where it is.
            a[j, j] += (lambda * a[j, j]) + 1e-12;
            var g = 0.0;
            for (var i = 0; i < m; i++)
            {
                g += jacobian[i, j] * r[i];
            }

            a[j, p] = -g;
        }

        for (var col = 0; col < p; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < p; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }

            for (var k = 0; k <= p; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            }

            for (var row = 0; row < p; row++)
            {
                if (row == col || a[col, col] == 0)
                {
                    continue;
                }

                var f = a[row, col] / a[col, col];
                for (var k = col; k <= p; k++)
                {
                    a[row, k] -= f * a[col, k];
                }
            }
        }

        return [.. Enumerable.Range(0, p).Select(j => a[j, j] == 0 ? 0 : a[j, p] / a[j, j])];
    }
}
