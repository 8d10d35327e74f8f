using TradeSim.Kernel;
using System.Globalization;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Silo.Tests.Support;

/// <summary>Batches, results and silos to store: small, distinct, and built the same way for every store under test.</summary>
internal static class StoreData
{
    public static readonly DateTimeOffset Created = new(2024, 5, 17, 8, 30, 15, TimeSpan.Zero);

    public static readonly RunExecutor SiloA = new("silo-a", "10.0.0.5:11111@123456789", EngineVersion.Current);

    public static readonly RunExecutor SiloB = new("silo-b", "10.0.0.6:11111@123456790", EngineVersion.Current);

    /// <summary>A scenario of two layers (a base file and a `--set` override), its text distinct per <paramref name="variant"/>.</summary>
    public static BatchScenario Scenario(int position, string name, string variant = "") => new(
        position,
        name,
        [
            new ScenarioSource($"scenarios/{name}.yaml", $"name: {name}{variant}\nsettings:\n  days: 30\n"),
            new ScenarioSource("--set", "settings:\n  warmup_days: " + (2 + position).ToString(CultureInfo.InvariantCulture) + "\n"),
        ]);

    /// <summary>A batch of <paramref name="scenarios"/> scenarios (the first the baseline), fixed at three replications.</summary>
    public static BatchSpec Spec(int scenarios = 2, ulong seed = 42, ReplicationPolicy? policy = null, string variant = "") => new(
        Enumerable.Range(0, scenarios).Select(i => Scenario(i, "scenario-" + i.ToString(CultureInfo.InvariantCulture), variant)).ToList(),
        BaselinePosition: 0,
        seed,
        policy ?? ReplicationPolicy.Fixed(3),
        ["batch", "scenarios/scenario-0.yaml", "--seed", seed.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>A result whose numbers scale with <paramref name="scale"/>: two records of different scales differ.</summary>
    public static RunRecord Record(double scale = 1, bool conserved = true) => new(
        [new KpiValue("gate.a.trucks", 10 * scale), new KpiValue("gate.a.hours_to_cross_mean", 1.5 * scale), new KpiValue("total.trade_value_usd", 1e6 * scale)],
        [("a", [0.5f * (float)scale, 1.25f * (float)scale, 2f * (float)scale]), ("b", [0f, 0f, 3.75f * (float)scale])],
        conserved);

    public static RunRecord Record(IReadOnlyList<KpiValue> kpis, IReadOnlyList<(string Gate, float[] MeanQueue)>? queues = null, bool conserved = true) =>
        new(kpis, queues ?? [], conserved);

    /// <summary>Doubles that a store could lose: rounding, the extremes, subnormals, integral values past 2^53, infinities.</summary>
    public static IReadOnlyList<double> AwkwardDoubles { get; } =
    [
        0.1 + 0.2, 1e-300, -1e-300, double.Epsilon, -double.Epsilon, 1.0 / 3.0, Math.PI, -123.456, 0, 1, 3.0, -7.0, 12345678.9,
        1e15 + 0.3, 9007199254740993.0, 1e18, -1e18, 123456789012345680000.0, double.MaxValue, double.MinValue,
        2.2250738585072014E-308, BitConverter.Int64BitsToDouble(0x3FF0000000000001), long.MaxValue, long.MinValue,
        double.PositiveInfinity, double.NegativeInfinity,
    ];

    /// <summary>A year of a gate's daily mean queue, with floats a store could lose (subnormal, extremes, -0, NaN bits).</summary>
    public static float[] AwkwardSeries(int salt)
    {
        var series = new float[365];
        for (var d = 0; d < series.Length; d++)
        {
            series[d] = (float)(Math.Sin((d + salt) / 10.0) * 40.0) + (d * 1e-3f);
        }

        series[7] = float.Epsilon;
        series[8] = float.MaxValue;
        series[9] = 0.1f;
        series[10] = -0f;
        series[11] = float.NaN;
        series[12] = BitConverter.Int32BitsToSingle(0x7FC00001);
        series[13] = float.NegativeInfinity;
        return series;
    }

    public static RunKey Key(long batch, int position, int replication) => new(batch, position, replication);
}
