using TradeSim.Client.Statistics;
using TradeSim.Grains.Batches;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Batches;

/// <summary>
/// A what-if's appraisal against the baseline over a batch's paired replications: its benefit per year, the border
/// truck-hours it saves per year, and the net present value and benefit-cost ratio those benefits give at the
/// scenario's discount rate and horizon. Each is computed per replication (scenario replication i against baseline
/// replication i, the same random streams) and summarised with a 95% Student-t interval.
/// </summary>
internal sealed record AppraisalOutcome(
    AppraisalDefinition Terms,
    double PresentValueOfCosts,
    Summary BenefitUsdPerYear,
    Summary BorderHoursSavedPerYear,
    Summary PresentValueOfBenefits,
    Summary NetPresentValue,
    Summary BenefitCostRatio);

/// <summary>
/// The arithmetic of an appraisal. The benefit is the users' logistics cost saving by the rule of a half: the fall in
/// logistics cost per tonne delivered (total.logistics_cost_usd over total.tonnes_delivered: every km, every hour away
/// from idle at the carrier's hourly cost, border hours among them, every fee and hired truck-day) times the mean of the
/// two scenarios' tonnes a year. With the same tonnes it is the baseline's annual logistics cost minus the scenario's;
/// when the what-if lets more cargo through, the extra tonnes count at half the saving, as transport appraisal counts
/// induced traffic, instead of their own km making the what-if look dearer. The year is 365 days of the window's rate.
/// Costs: the capital at year 0 and the operating cost at the end of each year 1..H; benefits at the end of each year
/// 1..H. NPV = -capital + sum over t of (benefit - operating) / (1 + r)^t; BCR = PV(benefits) / (capital + PV(operating)).
/// </summary>
internal static class Appraisal
{
    public const double DaysPerYear = 365;

    private static readonly string CostKpi = KpiCatalogue.TotalLogisticsCost.NameFor(string.Empty);

    private static readonly string TonnesKpi = KpiCatalogue.TotalTonnesDelivered.NameFor(string.Empty);

    /// <summary>The present value of 1 USD at the end of each year 1..<paramref name="years"/> at <paramref name="rate"/>.</summary>
    public static double AnnuityFactor(double rate, int years) =>
        rate == 0 ? years : (1 - Math.Pow(1 + rate, -years)) / rate;

    public static double PresentValueOfCosts(AppraisalDefinition terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return terms.CapitalUsd + (terms.OperatingUsdPerYear * AnnuityFactor(terms.DiscountRate, terms.HorizonYears));
    }

    public static double PresentValueOfBenefits(AppraisalDefinition terms, double benefitUsdPerYear)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return benefitUsdPerYear * AnnuityFactor(terms.DiscountRate, terms.HorizonYears);
    }

    public static double NetPresentValue(AppraisalDefinition terms, double benefitUsdPerYear) =>
        PresentValueOfBenefits(terms, benefitUsdPerYear) - PresentValueOfCosts(terms);

    /// <summary>PV(benefits) over PV(costs); the parser refuses an appraisal whose costs are both 0, so the divisor is positive.</summary>
    public static double BenefitCostRatio(AppraisalDefinition terms, double benefitUsdPerYear) =>
        PresentValueOfBenefits(terms, benefitUsdPerYear) / PresentValueOfCosts(terms);

    /// <summary>
    /// The benefit per year of one paired replication by the rule of a half (see the class); NaN when either run
    /// delivered nothing (no cost per tonne) or lacks the KPIs.
    /// </summary>
    public static double BenefitUsdPerYear(IReadOnlyDictionary<string, double> baseline, int baselineDays, IReadOnlyDictionary<string, double> scenario, int scenarioDays)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(scenario);
        if (!baseline.TryGetValue(CostKpi, out var baseCost) || !baseline.TryGetValue(TonnesKpi, out var baseTonnes)
            || !scenario.TryGetValue(CostKpi, out var cost) || !scenario.TryGetValue(TonnesKpi, out var tonnes)
            || baseTonnes <= 0 || tonnes <= 0)
        {
            return double.NaN;
        }

        var baseTonnesPerYear = baseTonnes * DaysPerYear / baselineDays;
        var tonnesPerYear = tonnes * DaysPerYear / scenarioDays;
        return 0.5 * ((baseCost / baseTonnes) - (cost / tonnes)) * (baseTonnesPerYear + tonnesPerYear);
    }

    /// <summary>
    /// Truck-hours spent crossing borders in a run, scaled to a year: over every gate, its trucks times their mean hours
    /// to cross. Their value, at each carrier's hourly cost, is already inside the logistics cost.
    /// </summary>
    public static double BorderHoursPerYear(IReadOnlyDictionary<string, double> kpis, int days)
    {
        ArgumentNullException.ThrowIfNull(kpis);
        var hours = 0.0;
        foreach (var (name, trucks) in kpis)
        {
            if (KpiCatalogue.Find(name) is { } kpi && kpi.Measure == KpiCatalogue.GateTrucks
                && kpis.TryGetValue(KpiCatalogue.GateHoursToCrossMean.NameFor(kpi.Entity), out var mean))
            {
                hours += trucks * mean;
            }
        }

        return hours * DaysPerYear / days;
    }

    /// <summary>A what-if's appraisal summed replication by replication, in replication order.</summary>
    public sealed class Tally(AppraisalDefinition terms, int baselineDays, int scenarioDays)
    {
        private RunningMoments _benefit;
        private RunningMoments _hoursSaved;
        private RunningMoments _benefitsValue;
        private RunningMoments _npv;
        private RunningMoments _bcr;

        public void Add(IReadOnlyDictionary<string, double> baseline, IReadOnlyDictionary<string, double> scenario)
        {
            var benefit = BenefitUsdPerYear(baseline, baselineDays, scenario, scenarioDays);
            if (double.IsFinite(benefit))
            {
                _benefit.Add(benefit);
                _benefitsValue.Add(PresentValueOfBenefits(terms, benefit));
                _npv.Add(NetPresentValue(terms, benefit));
                _bcr.Add(BenefitCostRatio(terms, benefit));
            }

            _hoursSaved.Add(BorderHoursPerYear(baseline, baselineDays) - BorderHoursPerYear(scenario, scenarioDays));
        }

        public AppraisalOutcome ToOutcome() =>
            new(terms, PresentValueOfCosts(terms), Summary.From(_benefit), Summary.From(_hoursSaved), Summary.From(_benefitsValue), Summary.From(_npv), Summary.From(_bcr));
    }
}
