using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;

namespace TradeSim.Client.Batches;

/// <summary>
/// What a what-if does to trade against the baseline, per paired replication, in tonnes a year (the window's rate
/// over 365 days): the trade it creates (destroys, when negative) and the trade it diverts from one gate to another.
/// <see cref="ElasticCreatedTonnesPerYear"/> is the part of the creation the trade response sets (the flows' stated
/// volumes times their volume factors, the same in every replication); the delivered creation adds what queues,
/// backlogs and closures change in the window.
/// </summary>
internal sealed record TradeShiftOutcome(Summary CreatedTonnesPerYear, Summary DivertedTonnesPerYear, Summary ElasticCreatedTonnesPerYear);

/// <summary>
/// The split of a what-if's change in border trade into creation and diversion, flow by flow. For a flow, each gate's
/// change in tonnes delivered through it (route.F.G.tonnes, scenario minus baseline, a year) is a gain or a loss. The
/// flow's created trade is the sum of the changes (its change in tonnes delivered); its diverted trade is the smaller
/// of its gains and its losses: tonnes that left one gate for another. A flow only one of the two scenarios has is all
/// created (or destroyed). Flows are kept apart so that one flow leaving a gate while another comes to it is no
/// diversion. Delivered tonnes without a border ("_direct" routes) count as routes like any other.
/// </summary>
internal static class TradeShift
{
    private static readonly string ElasticKpi = KpiCatalogue.TotalTradeCreated.NameFor(string.Empty);

    /// <summary>Created and diverted tonnes a year of one paired replication.</summary>
    public static (double Created, double Diverted) Of(IReadOnlyDictionary<string, double> baseline, int baselineDays, IReadOnlyDictionary<string, double> scenario, int scenarioDays)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(scenario);
        // Per flow, the tonnes a year its gates gained and lost; each route counted once, whichever run has it.
        var changes = new Dictionary<string, (double Gains, double Losses)>(StringComparer.Ordinal);
        foreach (var name in baseline.Keys.Union(scenario.Keys, StringComparer.Ordinal))
        {
            if (KpiCatalogue.Find(name) is not { } kpi || !ReferenceEquals(kpi.Measure, KpiCatalogue.RouteTonnes))
            {
                continue;
            }

            var flow = kpi.Entity[..kpi.Entity.IndexOf('.', StringComparison.Ordinal)];
            var change = Rate(scenario, name, scenarioDays) - Rate(baseline, name, baselineDays);
            var (gains, losses) = changes.GetValueOrDefault(flow);
            changes[flow] = change >= 0 ? (gains + change, losses) : (gains, losses - change);
        }

        double created = 0, diverted = 0;
        foreach (var (gains, losses) in changes.Values)
        {
            created += gains - losses;
            diverted += Math.Min(gains, losses);
        }

        return (created, diverted);
    }

    private static double Rate(IReadOnlyDictionary<string, double> kpis, string name, int days) =>
        kpis.TryGetValue(name, out var tonnes) && double.IsFinite(tonnes) ? tonnes * Appraisal.DaysPerYear / days : 0;

    /// <summary>A what-if's trade shift summed replication by replication, in replication order.</summary>
    public sealed class Tally(int baselineDays, int scenarioDays)
    {
        private RunningMoments _created;
        private RunningMoments _diverted;
        private RunningMoments _elastic;

        public void Add(IReadOnlyDictionary<string, double> baseline, IReadOnlyDictionary<string, double> scenario)
        {
            var (created, diverted) = Of(baseline, baselineDays, scenario, scenarioDays);
            _created.Add(created);
            _diverted.Add(diverted);
            _elastic.Add(scenario.GetValueOrDefault(ElasticKpi) - baseline.GetValueOrDefault(ElasticKpi));
        }

        public TradeShiftOutcome ToOutcome() => new(Summary.From(_created), Summary.From(_diverted), Summary.From(_elastic));
    }
}
