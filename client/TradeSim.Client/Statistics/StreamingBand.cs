namespace TradeSim.Client.Statistics;

/// <summary>
/// The mean and a low-high quantile band (the 10th and 90th percentiles in the report) of values seen one at a time,
/// in memory that does not grow with their number. Up to <see cref="ExactUpTo"/> values the quantiles are exact
/// (the R-8 definition, as MathNet computes them); beyond, each is estimated with Jain and Chlamtac's P² algorithm
/// (five markers moved by piecewise-parabolic steps), started from the exact quantiles of the first values. Values
/// must come in a fixed order (replication order) for the same result on any machine.
/// </summary>
internal sealed class StreamingBand(double low, double high)
{
    /// <summary>Values kept exactly: a batch of up to this many replications gets exact percentiles.</summary>
    public const int ExactUpTo = 64;

    private List<double>? _exact = [];
    private P2Quantile? _low;
    private P2Quantile? _high;
    private double _sum;

    public int N { get; private set; }

    public double Mean => N == 0 ? double.NaN : _sum / N;

    public double Low => _low?.Estimate ?? ExactQuantile(low);

    public double High => _high?.Estimate ?? ExactQuantile(high);

    public void Add(double value)
    {
        N++;
        _sum += value;
        if (_exact is not null)
        {
            _exact.Add(value);
            if (_exact.Count > ExactUpTo)
            {
                var sorted = _exact.Order().ToArray();
                _low = new P2Quantile(low, sorted);
                _high = new P2Quantile(high, sorted);
                _exact = null;
            }

            return;
        }

        _low!.Add(value);
        _high!.Add(value);
    }

    private double ExactQuantile(double p) =>
        _exact is null || _exact.Count == 0 ? double.NaN : MathNet.Numerics.Statistics.Statistics.Quantile(_exact, p);

    /// <summary>One quantile by P²: marker heights at the minimum, p/2, p, (1+p)/2 and the maximum.</summary>
    private sealed class P2Quantile
    {
        private readonly double[] _height = new double[5];
        private readonly double[] _position = new double[5];
        private readonly double[] _desired = new double[5];
        private readonly double[] _step;

        /// <summary>Starts from sorted values: markers at their exact quantiles, where those quantiles lie.</summary>
        public P2Quantile(double p, double[] sorted)
        {
            _step = [0, p / 2, p, (1 + p) / 2, 1];
            var n = sorted.Length;
            for (var i = 0; i < 5; i++)
            {
                _height[i] = MathNet.Numerics.Statistics.SortedArrayStatistics.Quantile(sorted, _step[i]);
                _position[i] = 1 + ((n - 1) * _step[i]);
                _desired[i] = _position[i];
            }
        }

        public double Estimate => _height[2];

        public void Add(double x)
        {
            int cell;
            if (x < _height[0])
            {
                _height[0] = x;
                cell = 0;
            }
            else if (x >= _height[4])
            {
                _height[4] = x;
                cell = 3;
            }
            else
            {
                cell = 0;
                while (cell < 3 && x >= _height[cell + 1])
                {
                    cell++;
                }
            }

            for (var i = cell + 1; i < 5; i++)
            {
                _position[i]++;
            }

            for (var i = 0; i < 5; i++)
            {
                _desired[i] += _step[i];
            }

            for (var i = 1; i <= 3; i++)
            {
                var d = _desired[i] - _position[i];
                if ((d >= 1 && _position[i + 1] - _position[i] > 1) || (d <= -1 && _position[i - 1] - _position[i] < -1))
                {
                    var sign = Math.Sign(d);
                    var parabolic = Parabolic(i, sign);
                    _height[i] = _height[i - 1] < parabolic && parabolic < _height[i + 1]
                        ? parabolic
                        : _height[i] + (sign * (_height[i + sign] - _height[i]) / (_position[i + sign] - _position[i]));
                    _position[i] += sign;
                }
            }
        }

        private double Parabolic(int i, int d) =>
            _height[i] + (d / (_position[i + 1] - _position[i - 1]) * (
                ((_position[i] - _position[i - 1] + d) * (_height[i + 1] - _height[i]) / (_position[i + 1] - _position[i]))
                + ((_position[i + 1] - _position[i] - d) * (_height[i] - _height[i - 1]) / (_position[i] - _position[i - 1]))));
    }
}
