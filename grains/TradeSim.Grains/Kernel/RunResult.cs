namespace TradeSim.Grains.Kernel;

/// <summary>
/// Everything one replication measured over its statistics window (warm-up excluded), plus the conservation
/// account over the whole run. Plain data: the silo stores it, the client reports it.
/// </summary>
public sealed record RunResult(
    string Scenario,
    ulong Seed,
    int Replication,
    DateOnly Start,
    int Days,
    int WarmupDays,
    int StepMinutes,
    IReadOnlyList<GateResult> Gates,
    IReadOnlyList<CorridorResult> Corridors,
    IReadOnlyList<CommodityResult> Commodities,
    ConservationAccount Conservation,
    long LegsThroughGates,
    long LegsDiverted,
    IReadOnlyList<DailyGateRecord> Daily);

/// <summary>One gate over the window: trucks that completed the crossing (both posts), their cargo and how long it took.</summary>
public sealed record GateResult(
    string Id,
    string Name,
    string Corridor,
    string GateClass,
    long Trucks,
    long LoadedTrucks,
    double Tonnes,
    double ValueUsd,
    double MeanHoursToCross,
    double P95HoursToCross,
    double Utilisation,
    int MaxQueue,
    double MeanTrucksInGate,
    double WindowHours,
    IReadOnlyList<PostResult> Posts,
    IReadOnlyDictionary<string, long> LoadedTrucksByTraffic,
    IReadOnlyDictionary<string, double> TonnesByTraffic,
    IReadOnlyDictionary<string, double> ValueImportedByCountry,
    IReadOnlyDictionary<string, double> TonnesByCommodity);

/// <summary>One post of a gate (the WCO Time Release Study view: arrival to release at each post).</summary>
public sealed record PostResult(
    string Country,
    int Lanes,
    long Served,
    double MeanWaitHours,
    double MeanServiceHours,
    double MeanQueueLength,
    double Utilisation,
    double RoadsideTruckHours);

public sealed record CorridorResult(string Id, IReadOnlyList<string> Gates, long Trucks, long LoadedTrucks, double Tonnes, double ValueUsd, double MeanHoursToCross);

public sealed record CommodityResult(string Id, double ProducedTonnes, double DeliveredTonnes, double DeliveredValueUsd, double CrossedTonnes);

/// <summary>Kilograms of one commodity over the whole run: produced = delivered + in transit + queued + in stock.</summary>
public sealed record CommodityBalance(string Commodity, long ProducedKg, long DeliveredKg, long InTransitKg, long QueuedKg, long StockKg)
{
    public bool Balances => ProducedKg == DeliveredKg + InTransitKg + QueuedKg + StockKg;
}

public sealed record ConservationAccount(IReadOnlyList<CommodityBalance> ByCommodity)
{
    public double ProducedTonnes => Sum(b => b.ProducedKg);

    public double DeliveredTonnes => Sum(b => b.DeliveredKg);

    public double InTransitTonnes => Sum(b => b.InTransitKg);

    public double QueuedTonnes => Sum(b => b.QueuedKg);

    public double StockTonnes => Sum(b => b.StockKg);

    public bool Balances => ByCommodity.All(b => b.Balances);

    private double Sum(Func<CommodityBalance, long> kg) => ByCommodity.Sum(kg) / 1000.0;
}

public sealed record DailyGateRecord(DateOnly Date, string Gate, long Trucks, double Tonnes, double MeanHoursToCross, int QueueAtEndOfDay);
