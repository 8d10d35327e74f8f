using System.Text;

namespace TradeSim.Kernel.Randomness;

/// <summary>
/// A seeded random stream (xoshiro256**). Each entity (province, carrier, gate post) draws from its own streams, derived from
/// (master seed, replication, entity key, purpose) by hashing, so an entity that is unchanged between two
/// scenarios sees the same draws in both: common random numbers. A struct-free class on purpose: entity models
/// hold it by reference and the hot loop calls it without copying state.
/// </summary>
public sealed class RandomStream
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    public RandomStream(ulong seed)
    {
        // SplitMix64 expands one 64-bit seed into the 256-bit state, as the xoshiro authors recommend.
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The stream of one entity for one purpose in one replication of a run.</summary>
    public static RandomStream For(ulong masterSeed, int replication, string entityKey, string purpose) =>
        new(DeriveSeed(masterSeed, replication, entityKey, purpose));

    /// <summary>A stable 64-bit seed from the stream's identity (FNV-1a over UTF-8, then mixed); never string.GetHashCode.</summary>
    public static ulong DeriveSeed(ulong masterSeed, int replication, string entityKey, string purpose)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        ArgumentNullException.ThrowIfNull(purpose);
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        foreach (var b in Encoding.UTF8.GetBytes(entityKey + "\u001f" + purpose))
        {
            hash = (hash ^ b) * prime;
        }

        var x = masterSeed ^ 0x9E3779B97F4A7C15UL;
        var a = SplitMix(ref x);
        x = a ^ (ulong)(uint)replication * 0xD1B54A32D192ED03UL;
        var b2 = SplitMix(ref x);
        x = b2 ^ hash;
        return SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform draw in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An exponential draw with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>
    /// A Poisson draw with the given mean, by multiplying uniforms until the product falls below exp(-mean) (Knuth): exact,
    /// and about mean + 1 uniforms a draw, so for small means only (a vehicle's passengers).
    /// </summary>
    public int Poisson(double mean)
    {
        if (mean <= 0.0)
        {
            return 0;
        }

        var limit = Math.Exp(-mean);
        var product = NextDouble();
        var count = 0;
        while (product > limit)
        {
            count++;
            product *= NextDouble();
        }

        return count;
    }

    /// <summary>A standard normal draw (polar Box-Muller; the second value of each pair is kept for the next call).</summary>
    public double StandardNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }

        double u;
        double v;
        double s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        var factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareNormal = v * factor;
        _hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>
    /// A positive draw with the given mean and coefficient of variation: gamma distributed, so cv = 1 is exactly
    /// exponential (the M in M/M/c), cv = 0 is the constant mean, and cv &lt; 1 is the usual shape of clearance times.
    /// </summary>
    public double Positive(double mean, double cv)
    {
        if (cv <= 0.0 || mean <= 0.0)
        {
            return mean;
        }

        if (cv == 1.0)
        {
            return Exponential(mean);
        }

        var shape = 1.0 / (cv * cv);
        return Gamma(shape) * (mean / shape);
    }

    /// <summary>A Gamma(shape, 1) draw by Marsaglia and Tsang's method (boosted for shape &lt; 1).</summary>
    public double Gamma(double shape)
    {
        if (shape < 1.0)
        {
            var boost = Math.Pow(NextDouble(), 1.0 / shape);
            return Gamma(shape + 1.0) * boost;
        }

        var d = shape - (1.0 / 3.0);
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = StandardNormal();
                v = 1.0 + (c * x);
            }
            while (v <= 0.0);

            v = v * v * v;
            var u = NextDouble();
            if (u < 1.0 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1.0 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
