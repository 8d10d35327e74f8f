using TradeSim.Kernel;
using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Client.Scenarios;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Storage;
using Xunit.Abstractions;

namespace TradeSim.Client.Tests;

/// <summary>
/// Common random numbers at work: a real batch (baseline and the Nam Giang upgrade, 10 replications of 90 days after
/// 7 days of warm-up, seed 1), run on the embedded silo without the CLI, stored in SQLite and compared from the store.
/// Replication i of both scenarios draws from the same streams, so the paired interval of a difference is narrower
/// than the unpaired (Welch) one wherever both scenarios share the noise, and gates the upgrade cannot reach (Lai Chau)
/// come out identical run for run.
/// </summary>
public sealed class PairedComparisonTests(PairedComparisonTests.BatchFixture batch, ITestOutputHelper output) : IClassFixture<PairedComparisonTests.BatchFixture>
{
    public const int Replications = 10;

    /// <summary>
    /// KPIs that vary from replication to replication in both scenarios with the shared inputs (daily supply, travel
    /// and service draws): pairing cancels the common part. Bo Y is out of the upgrade's reach, so its KPIs are equal
    /// run for run and the paired half-width is 0.
    /// </summary>
    [Theory]
    [InlineData("total.logistics_cost_per_tonne_usd")]
    [InlineData("gate.bo-y.trucks")]
    [InlineData("gate.nam-giang.trucks")]
    [InlineData("gate.nam-giang.utilisation")]
    [InlineData("corridor.quang-nam-sekong.tonnes")]
    [InlineData("total.trade_value_usd")]
    public void Compare_NamGiangUpgrade_PairedIntervalNarrowerThanUnpaired(string kpi)
    {
        var c = Comparison(kpi);

        Assert.True(
            c.Paired.HalfWidth < c.Unpaired.HalfWidth,
            $"{kpi}: paired half-width {c.Paired.HalfWidth} is not below the unpaired {c.Unpaired.HalfWidth}");
    }

    /// <summary>
    /// Hours to cross at the gate the upgrade changes: the upgrade all but removes their variation (about 2.2 h at the
    /// gate and 2.4 h per loaded trip in every replication, against 9.3-11 h and 6.9-9.2 h in the baseline; seed 1),
    /// so there is no common noise left to cancel and pairing
    /// can neither help nor hurt much. With equal n and r = sd(upgrade) / sd(baseline), the sd of the differences over
    /// sqrt(sd_a^2 + sd_b^2) lies in [(1 - r), (1 + r)] / sqrt(1 + r^2) whatever the correlation, and Welch's degrees
    /// of freedom stay within 9 (1 + r^2)^2 / (1 + r^4) of the paired 9, so for r &lt; 0.1 the ratio of the half-widths
    /// lies in [0.89, 1.11]. Measured with seed 1: 1.002 and 1.005 (the paired interval is marginally wider).
    /// </summary>
    [Theory]
    [InlineData("gate.nam-giang.hours_to_cross_mean")]
    [InlineData("corridor.quang-nam-sekong.hours_to_cross")]
    public void Compare_NamGiangUpgrade_HoursAtTheUpgradedGate_NoCommonNoiseToCancel(string kpi)
    {
        var c = Comparison(kpi);
        var baselineSd = batch.Comparison.Baseline.Kpi(kpi)!.Stats.StandardDeviation;
        var upgradeSd = batch.Comparison.Scenarios[1].Kpi(kpi)!.Stats.StandardDeviation;

        Assert.True(upgradeSd < 0.1 * baselineSd, $"{kpi}: sd {upgradeSd} with the upgrade against {baselineSd} in the baseline");
        Assert.InRange(c.Paired.HalfWidth / c.Unpaired.HalfWidth, 0.89, 1.11);
    }

    [Fact]
    public void Compare_NamGiangUpgrade_NamGiangCrossingIsFasterSignificantly()
    {
        var c = batch.Comparison.Scenarios[1].Comparison("gate.nam-giang.hours_to_cross_mean")!;

        Assert.True(c.Paired.MeanDifference < 0, $"the upgrade made Nam Giang slower: {c.Paired.MeanDifference} h");
        Assert.True(c.Paired.IsSignificant);
        Assert.False(c.UnchangedInEveryReplication);
    }

    [Fact]
    public void Compare_NamGiangUpgrade_LaiChauGatesUnchangedInEveryReplication()
    {
        var upgrade = batch.Comparison.Scenarios[1];
        var laiChau = upgrade.VsBaseline.Where(k => k.Kpi.StartsWith("gate.ma-lu-thang.", StringComparison.Ordinal) || k.Kpi.StartsWith("gate.cha-lo.", StringComparison.Ordinal)).ToList();

        // Every gate measure of the catalogue, at each of the two gates (Lai Chau's open gate, and Ha Tinh's).
        Assert.Equal(2 * KpiCatalogue.Gate.Count, laiChau.Count);
        Assert.All(laiChau, k =>
        {
            Assert.True(k.UnchangedInEveryReplication, $"{k.Kpi} changed although the upgrade cannot reach Lai Chau or Ha Tinh");
            if (k.Paired.N == 0)
            {
                // A measure no run of either scenario observed (no customs declarations at Ma Lu Thang or Cha Lo): no data
                // on both sides, so no difference to take.
                Assert.True(double.IsNaN(k.Paired.MeanDifference), $"{k.Kpi}: no data, yet a difference of {k.Paired.MeanDifference}");
                return;
            }

            Assert.Equal(0, k.Paired.MeanDifference);
            Assert.Equal(0, k.Paired.HalfWidth);
            Assert.False(k.Paired.IsSignificant);
        });

        // Not vacuous: Ma Lu Thang carries Lai Chau's traffic in the baseline, and it varies between replications.
        var maLuThang = batch.Comparison.Baseline.Kpi("gate.ma-lu-thang.trucks")!;
        Assert.True(maLuThang.Stats.Mean > 0);
        Assert.True(maLuThang.Stats.StandardDeviation > 0);
        Assert.Equal(maLuThang.Stats, upgrade.Kpi("gate.ma-lu-thang.trucks")!.Stats);
        Assert.True(upgrade.Comparison("gate.ma-lu-thang.trucks")!.UnchangedInEveryReplication);
    }

    [Fact]
    public void Build_FromStore_ReplicationsAndScenariosAsRun()
    {
        var c = batch.Comparison;

        Assert.Equal(Replications, c.Replications);
        Assert.Equal(["baseline", "nam-giang-upgrade"], c.Scenarios.Select(s => s.Name));
        Assert.True(c.Scenarios[0].IsBaseline);
        Assert.Empty(c.Scenarios[0].VsBaseline);
        Assert.All(c.Scenarios, s => Assert.Equal(Replications, s.Replications));
        Assert.Equal(0, c.UnconservedRuns);
        Assert.Equal(2 * Replications, batch.Handed);

        // 90 days of statistics: one daily queue value per day for each gate.
        Assert.All(c.Scenarios.SelectMany(s => s.DailyQueues), q => Assert.Equal(90, q.Mean.Length));
    }

    /// <summary>The upgrade's comparison of <paramref name="kpi"/> with the baseline, with both half-widths written to the test output.</summary>
    private KpiComparison Comparison(string kpi)
    {
        var c = batch.Comparison.Scenarios[1].Comparison(kpi);
        Assert.NotNull(c);
        Assert.Equal(Replications, c.Paired.N);
        Assert.Equal(Replications, c.Unpaired.N);
        Assert.Equal(c.Paired.MeanDifference, c.Unpaired.MeanDifference, 1e-9 * Math.Max(1, Math.Abs(c.Paired.MeanDifference)));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{kpi}: mean difference {c.Paired.MeanDifference:G6} ({c.Paired.Percent:F2}%), paired half-width {c.Paired.HalfWidth:G6}, unpaired half-width {c.Unpaired.HalfWidth:G6}, ratio {c.Paired.HalfWidth / c.Unpaired.HalfWidth:F3}"));
        return c;
    }

    /// <summary>Runs the batch once for the class: 2 scenarios x 10 replications on 2 workers, saved as they finish.</summary>
    public sealed class BatchFixture : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "tradesim-paired-" + Guid.NewGuid().ToString("N"));

        public BatchFixture()
        {
            Directory.CreateDirectory(_directory);
            var scenarios = new[] { "baseline", "nam-giang-upgrade" }.Select((name, position) =>
            {
                var errors = new List<ScenarioError>();
                var file = ScenarioFiles.Load(name, errors);
                Assert.True(file is not null && errors.Count == 0, string.Join('\n', errors));
                var layers = file!.Layers.Append(new ScenarioSource("short", "settings:\n  days: 90\n  warmup_days: 7\n")).ToList();
                return new BatchScenario(position, name, layers);
            }).ToList();
            var spec = new BatchSpec(scenarios, BaselinePosition: 0, Seed: 1, ReplicationPolicy.Fixed(Replications), ["test"]);
            using var store = SqliteResultStore.Open(Path.Combine(_directory, "paired.db"), create: true);
            var (id, progress) = EmbeddedBatch.Run(store, spec, 2);
            Handed = progress.Done;
            Comparison = BatchComparison.Build(store, id);
        }

        internal BatchComparison Comparison { get; }

        public int Handed { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
