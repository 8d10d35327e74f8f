namespace TradeSim.Kernel;

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
    double OperatingCostUsd,
    double KmDriven,
    IReadOnlyList<FlowResult> Flows,
    IReadOnlyList<DailyGateRecord> Daily)
{
    /// <summary>Each carrier's fleet over the window, and the cargo it had not come for at the end.</summary>
    public IReadOnlyList<FleetResult> Fleets { get; init; } = [];
}

/// <summary>
/// One carrier's fleet over the statistics window: the share of its own trucks' hours away from idle at home, round
/// trips (dispatch to home again) and their mean hours, the share of kilometres driven empty, the truck-days it hired
/// (each hire's days or parts of days) and what they cost; and the cargo handed to it and still waiting for a truck
/// when the run ended (the backlog), with its value and mean age.
/// </summary>
public sealed record FleetResult(
    string Id,
    int Trucks,
    double Utilisation,
    long RoundTrips,
    double MeanTurnaroundHours,
    double Km,
    double EmptyKm,
    double BacklogTonnes,
    double BacklogValueUsd,
    double BacklogMeanAgeHours)
{
    public long HiredTruckDays { get; init; }

    /// <summary>The hired truck-days at the carrier's day rate; it is part of the run's operating cost.</summary>
    public double HireCostUsd { get; init; }

    public double EmptyKmShare => Km == 0 ? 0 : EmptyKm / Km;

    /// <summary>Truck-hours planning drivers waited at the start of a leg to reach their gate when its posts are open.</summary>
    public double PlannedWaitHours { get; init; }

    /// <summary>Legs whose truck turned back from a closed gate and took another route.</summary>
    public long LegsRerouted { get; init; }
}

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
    TripResult Trips,
    IReadOnlyList<PostResult> Posts,
    IReadOnlyDictionary<string, long> LoadedTrucksByTraffic,
    IReadOnlyDictionary<string, double> TonnesByTraffic,
    IReadOnlyDictionary<string, double> ValueImportedByCountry,
    IReadOnlyDictionary<string, double> TonnesByCommodity)
{
    /// <summary>Where the mean hours to cross go (the WCO Time Release Study split); its parts add up to <see cref="MeanHoursToCross"/>.</summary>
    public CrossingSplit Split { get; init; } = CrossingSplit.None;

    /// <summary>Trucks that found the gate closed, or were queued at their entry post when it closed, and turned back.</summary>
    public long TurnedBackTrucks { get; init; }

    /// <summary>Truck-hours spent inside the gate while a closure was in force: trucks stranded by closures.</summary>
    public double StrandedTruckHours { get; init; }

    /// <summary>
    /// The index of dispersion of the trucks arriving at the gate (at either entry post): the variance over the mean
    /// of the arrivals per hour of the window. About 1 for Poisson arrivals, below 1 for more regular ones, above 1
    /// for bunched ones; NaN when no truck arrived.
    /// </summary>
    public double ArrivalDispersion { get; init; } = double.NaN;

    /// <summary>Persons (truck crews apart) who crossed the gate in the window: cleared at both posts' immigration counters.</summary>
    public long PersonCrossings => PersonCrossingsByNationality.Values.Sum();

    /// <summary>The persons who crossed, by the nationalities the scenario's `travellers:` names (empty without travellers).</summary>
    public IReadOnlyDictionary<string, long> PersonCrossingsByNationality { get; init; } = new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Non-truck vehicles (cars, vans, buses) that crossed the gate in the window.</summary>
    public long NonTruckVehicleCrossings { get; init; }

    /// <summary>Every vehicle that crossed in the window: trucks loaded and empty, both ways, and non-truck vehicles.</summary>
    public long VehicleCrossings => Trucks + NonTruckVehicleCrossings;

    /// <summary>Customs transit declarations lodged at the gate's posts in the window.</summary>
    public long TransitDeclarations { get; init; }

    /// <summary>Loaded transit trips lodged under those posts' declarations in the window.</summary>
    public long DeclaredTrips { get; init; }

    /// <summary>The persons and non-truck vehicles over the whole run, warm-up included: every one arrived is crossed or still at the gate.</summary>
    public TravellerAccount Travellers { get; init; } = TravellerAccount.None;
}

/// <summary>
/// A gate's persons and non-truck vehicles over the whole run: those that arrived, those that crossed, and those still at
/// the gate when it ended (counted where they are: queued, at a counter or lane, between the posts).
/// </summary>
public sealed record TravellerAccount(long PersonsArrived, long PersonsCrossed, long PersonsAtGate, long VehiclesArrived, long VehiclesCrossed, long VehiclesAtGate)
{
    public static readonly TravellerAccount None = new(0, 0, 0, 0, 0, 0);

    public bool Balances => PersonsArrived == PersonsCrossed + PersonsAtGate && VehiclesArrived == VehiclesCrossed + VehiclesAtGate;
}

/// <summary>
/// The mean hours to cross a gate split as the WCO Time Release Study splits release time: waiting for a post to open
/// (outside its hours, or during a closure), queueing while it was open and its lanes busy, inspection and clearance
/// at both posts, and the drive between them. The parts sum to the mean hours to cross.
/// </summary>
public sealed record CrossingSplit(double OpeningWaitHours, double QueueingHours, double ServiceHours, double TransferHours)
{
    public static readonly CrossingSplit None = new(0, 0, 0, 0);

    public double TotalHours => OpeningWaitHours + QueueingHours + ServiceHours + TransferHours;
}

/// <summary>One post of a gate (the WCO Time Release Study view: arrival to release at each post).</summary>
public sealed record PostResult(
    string Country,
    int Lanes,
    long Served,
    double MeanWaitHours,
    double MeanServiceHours,
    double MeanQueueLength,
    double Utilisation,
    double RoadsideTruckHours)
{
    /// <summary>The part of <see cref="MeanWaitHours"/> spent while the post was closed; the rest is queueing at open lanes.</summary>
    public double MeanOpeningWaitHours { get; init; }

    public double MeanQueueingHours => MeanWaitHours - MeanOpeningWaitHours;

    /// <summary>Persons whose clearance at the post's immigration counters began in the window.</summary>
    public long PersonsServed { get; init; }

    /// <summary>Hours a person waited at the post's immigration counters before clearance began (for opening, and in the queue).</summary>
    public double MeanImmigrationWaitHours { get; init; }
}

public sealed record CorridorResult(string Id, IReadOnlyList<string> Gates, long Trucks, long LoadedTrucks, double Tonnes, double ValueUsd, double MeanHoursToCross, TripResult Trips);

/// <summary>
/// Loaded trips (origin to destination) that ended in the window, summed: the basis of the ADB CAREC corridor
/// performance indicators. Hours run from leaving the origin to arriving at the destination; border hours from
/// arriving at the first post to release from the second; the crossing cost is the gate fee plus the border hours
/// at the carrier's hourly rate; the trip cost adds distance at the per-km rate and all hours at the hourly rate.
/// </summary>
public sealed record TripResult(long Legs, double Km, double Tonnes, double TonneKm, double Hours, double BorderHours, double CostUsd, double CrossingCostUsd)
{
    public static readonly TripResult None = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>CAREC: hours to cross a border, waiting included (mean per loaded crossing).</summary>
    public double HoursToCross => Legs == 0 ? 0 : BorderHours / Legs;

    /// <summary>CAREC: cost of a border crossing in USD (mean per loaded crossing).</summary>
    public double CrossingCostPerTripUsd => Legs == 0 ? 0 : CrossingCostUsd / Legs;

    /// <summary>CAREC: the cost of moving 20 tonnes 500 km, in USD, from trip cost per tonne-km.</summary>
    public double CostPer500Km20TUsd => TonneKm == 0 ? 0 : CostUsd / TonneKm * 500 * 20;

    /// <summary>CAREC: speed with delays, km/h over the whole trip including the border.</summary>
    public double SpeedWithDelaysKmh => Hours == 0 ? 0 : Km / Hours;

    /// <summary>CAREC: speed without delays, km/h over the time on the road (border hours left out).</summary>
    public double SpeedWithoutDelaysKmh => Hours - BorderHours <= 0 ? 0 : Km / (Hours - BorderHours);

    public TripResult Add(TripResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new TripResult(Legs + other.Legs, Km + other.Km, Tonnes + other.Tonnes, TonneKm + other.TonneKm, Hours + other.Hours, BorderHours + other.BorderHours, CostUsd + other.CostUsd, CrossingCostUsd + other.CrossingCostUsd);
    }
}

/// <summary>One flow's deliveries in the window, by the gate its loaded trucks crossed ("" for none).</summary>
public sealed record FlowResult(string Id, string Commodity, string From, string To, double DeliveredTonnes, IReadOnlyDictionary<string, double> TonnesByGate)
{
    /// <summary>The flow's volume over its stated volume: 1 unless its trade responds to cost and this network differs from the reference.</summary>
    public double VolumeFactor { get; init; } = 1;

    /// <summary>Tonnes a year the flow's volume gained (lost, when negative) over its stated volume by responding to cost: trade created.</summary>
    public double TradeCreatedTonnesPerYear { get; init; }
}

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

public sealed record DailyGateRecord(DateOnly Date, string Gate, long Trucks, double Tonnes, double MeanHoursToCross, int QueueAtEndOfDay, double MeanQueue);
