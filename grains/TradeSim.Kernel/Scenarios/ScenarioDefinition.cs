namespace TradeSim.Kernel.Scenarios;

/// <summary>A validated scenario: the network, fleets and flows of one run, in the units the file uses.</summary>
public sealed record ScenarioDefinition(
    string Name,
    string Description,
    RunSettingsDefinition Settings,
    IReadOnlyDictionary<string, IReadOnlyList<TrafficKind>> GateClasses,
    IReadOnlyList<CommodityDefinition> Commodities,
    IReadOnlyList<NodeDefinition> Nodes,
    IReadOnlyList<GateDefinition> Gates,
    IReadOnlyList<RoadDefinition> Roads,
    IReadOnlyList<CarrierDefinition> Carriers,
    IReadOnlyList<FlowDefinition> Flows,
    CalibrationDefinition? Calibration)
{
    /// <summary>
    /// The scenario's first layer on its own (the baseline a what-if extends), where the flows' volumes are stated:
    /// trade that responds to cost (<see cref="CommodityDefinition.TradeElasticity"/>) is scaled by how much dearer
    /// or cheaper this network makes it than that one. Null for a single-layer scenario.
    /// </summary>
    public ScenarioDefinition? Reference { get; init; }

    /// <summary>What the what-if costs and how to discount it (`appraisal:`); null when the file does not say, and then a batch appraises nothing.</summary>
    public AppraisalDefinition? Appraisal { get; init; }
}

/// <summary>
/// The costs of a what-if and the terms of its appraisal against the baseline (`appraisal:`): the capital spent at
/// the start (year 0), the operating cost of every year after it, the discount rate and the years the benefits and
/// operating costs run. <see cref="Source"/> says where the figures come from.
/// </summary>
public sealed record AppraisalDefinition(double CapitalUsd, double OperatingUsdPerYear, double DiscountRate, int HorizonYears, string Source);

/// <summary>
/// The simulated period. Statistics cover <see cref="Days"/> days from <see cref="Start"/>; the warm-up runs
/// for <see cref="WarmupDays"/> days before it and is excluded from every statistic.
/// </summary>
public sealed record RunSettingsDefinition(DateOnly Start, int Days, int WarmupDays, int StepMinutes)
{
    /// <summary>How provinces time the release of complete truckloads (`release:`).</summary>
    public ReleaseProcess Release { get; init; } = ReleaseProcess.Even;

    /// <summary>
    /// The dispersion of route choice in USD (`route_dispersion_usd:`): a carrier picks a route with probability
    /// proportional to exp(-cost / dispersion) over its candidate routes (multinomial logit). 0 picks the cheapest
    /// route every time (all-or-nothing, the logit's limit).
    /// </summary>
    public double RouteDispersionUsd { get; init; }

    /// <summary>
    /// The share of trucks whose drivers time a loaded departure so as to reach the gate when its posts are open
    /// (`planning_share:`, 0 to 1): the others leave as soon as they are loaded and wait at the gate.
    /// </summary>
    public double PlanningShare { get; init; }

    /// <summary>
    /// What an hour's delay costs the owner of the cargo, in percent of the cargo's value per day
    /// (`cargo_value_of_time_pct_per_day:`): added to the carrier's hourly cost when a loaded truck weighs its routes.
    /// </summary>
    public double CargoValueOfTimePctPerDay { get; init; }

    /// <summary>
    /// Whether a truck that finds its gate closed (or is queued there when a closure starts) turns back to take another
    /// route when that costs less than waiting (`turn_back:`, default true); false keeps every truck waiting.
    /// </summary>
    public bool TurnBack { get; init; } = true;
}

/// <summary>How a province times the release of the truckloads it completes.</summary>
public enum ReleaseProcess
{
    /// <summary>A load is released when production completes it: production is even within a step, so releases are smoother than Poisson.</summary>
    Even,

    /// <summary>Loads are released as a Poisson process at the production rate (index of dispersion 1).</summary>
    Poisson,
}

/// <summary>What a truck carries across a gate; gate classes allow some kinds and not others.</summary>
public enum TrafficKind
{
    /// <summary>Goods of a third country crossing in transit (for example Lao bauxite to a Vietnamese seaport).</summary>
    Transit,

    /// <summary>Import and export.</summary>
    Trade,

    /// <summary>Exchange of border residents and border markets.</summary>
    Local,
}

/// <summary>
/// A commodity. Its trade responds to the generalised cost of carrying it (<see cref="TradeElasticity"/>): a flow's
/// volume is its stated volume times exp(-elasticity x (cost - reference cost) / value of a load), the cost being money
/// per load plus the days a load takes valued at <see cref="TimeValuePctPerDay"/> of its value.
/// </summary>
public sealed record CommodityDefinition(string Id, string Name, SourceLocation Location)
{
    /// <summary>Loss of trade per unit of cost added as a share of the goods' value (`trade_elasticity:`, 0: fixed volumes).</summary>
    public double TradeElasticity { get; init; }

    /// <summary>What a day of delay costs, in percent of the goods' value (`time_value_pct_per_day:`).</summary>
    public double TimeValuePctPerDay { get; init; } = DefaultTimeValuePctPerDay;

    /// <summary>
    /// Hummels and Schaur (2013, American Economic Review 103(7)) put a day in transit at 0.6-2.1% of the goods'
    /// value; 1% is inside that range.
    /// </summary>
    public const double DefaultTimeValuePctPerDay = 1.0;
}

/// <summary>
/// A point on the Earth in decimal degrees (WGS84): latitude north positive (-90 to 90), longitude east positive
/// (-180 to 180). Where a map draws a node or a gate; the simulation never reads it (distances are the roads' km).
/// </summary>
public sealed record GeoPoint(double Latitude, double Longitude);

public sealed record NodeDefinition(string Id, string Name, string Country, string Kind, SourceLocation Location)
{
    /// <summary>Where the node lies (`at: [lat, lon]` in the file), or null when the file does not say.</summary>
    public GeoPoint? Coordinates { get; init; }
}

public sealed record ServiceTimeDefinition(double MeanMinutes, double Cv);

/// <summary>
/// A post of a gate. <see cref="OpenMinute"/> and <see cref="CloseMinute"/> are on the model's clock (Viet Nam time):
/// the file gives them in the post's local time (<see cref="LocalTime"/>).
/// </summary>
public sealed record PostDefinition(
    string Country,
    string Name,
    int Lanes,
    int OpenMinute,
    int CloseMinute,
    int HoldingCapacity,
    ServiceTimeDefinition DefaultService,
    IReadOnlyDictionary<string, ServiceTimeDefinition> ServiceByCommodity,
    SourceLocation Location)
{
    /// <summary>The post's immigration counters, where persons are cleared (`immigration:`); null when the file does not say.</summary>
    public ImmigrationDefinition? Immigration { get; init; }

    /// <summary>
    /// The check of a non-truck vehicle (car, van, bus) at the post's vehicle lanes (`vehicle_service:`); null when the
    /// file does not say, and then it is <see cref="DefaultService"/> (the check of an empty truck).
    /// </summary>
    public ServiceTimeDefinition? VehicleService { get; init; }

    /// <summary>The customs transit declarations this post processes (`transit_declarations:`); null: none.</summary>
    public TransitDeclarationDefinition? TransitDeclarations { get; init; }
}

/// <summary>
/// A post's immigration counters: <see cref="Counters"/> officers clearing one person at a time, each in a gamma time
/// of mean <see cref="MeanSeconds"/> and coefficient of variation <see cref="Cv"/>, within the post's opening hours.
/// </summary>
public sealed record ImmigrationDefinition(int Counters, double MeanSeconds, double Cv);

/// <summary>
/// Customs transit declarations lodged at a post: each covers a lot of <see cref="TripsPerDeclaration"/> loaded transit
/// trips of one flow (a fraction makes lots of alternating sizes with that mean), lodged with the lot's first truck,
/// whose service at this post takes <see cref="DeclarationMinutes"/> more than its check.
/// </summary>
public sealed record TransitDeclarationDefinition(double TripsPerDeclaration, double DeclarationMinutes);

/// <summary>
/// The persons who cross a gate besides the truck crews (`travellers:`), and their non-truck vehicles. Persons come in
/// vehicles: vehicles arrive at each entry post as a Poisson process, each carrying 1 + Poisson(<see
/// cref="PersonsPerVehicle"/> - 1) persons, so <see cref="PersonsPerYear"/> persons a year cross in <see
/// cref="PersonsPerYear"/> / <see cref="PersonsPerVehicle"/> vehicles. <see cref="EntryWeights"/> splits them by the post
/// they enter by (keyed by its country), <see cref="Nationalities"/> by nationality (weights; any labels).
/// </summary>
public sealed record TravellersDefinition(
    double PersonsPerYear,
    IReadOnlyList<NationalityWeight> Nationalities,
    double PersonsPerVehicle,
    IReadOnlyDictionary<string, double> EntryWeights);

/// <summary>One nationality's weight among a gate's travellers.</summary>
public sealed record NationalityWeight(string Nationality, double Weight);

/// <summary>
/// A closure of a whole gate. <see cref="NoticeDays"/> days before it starts it is announced and carriers route around
/// it (a planned closure: road works, a holiday); with no notice (0) it is discovered by the first trucks to arrive
/// (a landslide), and it is announced from then on.
/// </summary>
public sealed record ClosureDefinition(DateOnly From, int Days, string Reason)
{
    public int NoticeDays { get; init; }
}

public sealed record GateDefinition(
    string Id,
    string Name,
    string Corridor,
    string GateClass,
    double FeeUsd,
    double TransferMinutes,
    IReadOnlyList<PostDefinition> Posts,
    IReadOnlyList<ClosureDefinition> Closures,
    SourceLocation Location)
{
    /// <summary>Where the gate's border crossing lies (`at: [lat, lon]` in the file), or null when the file does not say.</summary>
    public GeoPoint? Coordinates { get; init; }

    /// <summary>The fee an empty truck pays per crossing (`fee_empty_usd:`); null when the file does not say, and then it is <see cref="FeeUsd"/>.</summary>
    public double? FeeEmptyUsd { get; init; }

    /// <summary>Persons crossing the gate and their non-truck vehicles (`travellers:`); null: trucks only.</summary>
    public TravellersDefinition? Travellers { get; init; }
}

/// <summary>A road link; an end is a node id or a gate post written `gate.country`.</summary>
public sealed record RoadDefinition(string Id, string From, string To, double Km, double Kmh, SourceLocation Location);

public sealed record CarrierDefinition(
    string Id,
    string Name,
    string Home,
    int Trucks,
    double CapacityTonnes,
    double TopSpeedKmh,
    double CostPerKmUsd,
    double CostPerHourUsd,
    double LoadHours,
    double UnloadHours,
    double HandlingCv,
    double TravelCv,
    SourceLocation Location)
{
    /// <summary>How the carrier hires extra trucks when its cargo waits too long (`hire:`); null: it never hires.</summary>
    public HireDefinition? Hire { get; init; }

    /// <summary>
    /// Whether a truck that has unloaded where the carrier has cargo of a flow from that node waiting takes it as a
    /// return load (`backhaul:`) rather than driving home empty. Off unless the file says `backhaul: true`.
    /// </summary>
    public bool Backhaul { get; init; }
}

/// <summary>
/// A carrier's hiring of extra trucks: when its oldest waiting load has waited more than <see cref="AfterHours"/>
/// hours and none of its own trucks is idle at home, it hires a truck for that load, up to <see cref="MaxTrucks"/>
/// hired at once, each at <see cref="UsdPerDay"/> for every day or part of a day it is hired. A hired truck that
/// comes home to no waiting cargo is released.
/// </summary>
public sealed record HireDefinition(int MaxTrucks, double UsdPerDay, double AfterHours);

public sealed record FlowDefinition(
    string Id,
    string Commodity,
    string From,
    string To,
    double TonnesPerYear,
    double ValueUsdPerTonne,
    TrafficKind Traffic,
    string Carrier,
    IReadOnlyList<double> Seasonality,
    double DailyCv,
    SourceLocation Location);

public sealed record CalibrationDefinition(DateOnly From, DateOnly To, IReadOnlyList<CalibrationTargetDefinition> Targets)
{
    /// <summary>The period a target is measured over: its own, or the section's.</summary>
    public CalibrationPeriod PeriodOf(CalibrationTargetDefinition target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Period ?? new CalibrationPeriod(From, To);
    }

    /// <summary>The distinct periods of the targets, in the order of the first target to use each.</summary>
    public IReadOnlyList<CalibrationPeriod> Periods() => Targets.Select(PeriodOf).Distinct().ToList();

    /// <summary>The numbers `tradesim calibrate` fits to the targets that are not held out (`parameters:`); empty: none.</summary>
    public IReadOnlyList<CalibrationParameterDefinition> Parameters { get; init; } = [];
}

/// <summary>A number `calibrate` fits: its path in the scenario (as `--set` writes it) and the bounds it stays within.</summary>
public sealed record CalibrationParameterDefinition(string Path, double Min, double Max, SourceLocation Location);

/// <summary>How a calibration target is measured on a run.</summary>
public enum CalibrationMetric
{
    /// <summary>Loaded trucks that completed the crossing of a gate.</summary>
    LoadedCrossings,

    /// <summary>Tonnes that completed the crossing of a gate.</summary>
    Tonnes,

    /// <summary>Value crossing a gate into the importer's country, over the value crossing it both ways.</summary>
    ImportValueShare,

    /// <summary>Persons (truck crews apart) who completed the crossing of a gate, of one nationality when the target names one.</summary>
    PersonCrossings,

    /// <summary>Vehicles that completed the crossing of a gate: trucks loaded and empty, and non-truck vehicles.</summary>
    VehicleCrossings,

    /// <summary>Customs transit declarations lodged at a gate's posts.</summary>
    Declarations,

    /// <summary>Value of the cargo that completed the crossing of a gate, both ways (its turnover).</summary>
    ValueUsd,
}

public sealed record CalibrationTargetDefinition(
    string Id,
    string Description,
    double Observed,
    CalibrationMetric Metric,
    string Gate,
    TrafficKind? Traffic,
    string? Importer,
    string Source)
{
    /// <summary>The nationality a <see cref="CalibrationMetric.PersonCrossings"/> target counts; null: every person.</summary>
    public string? Nationality { get; init; }

    /// <summary>
    /// The target's own observed period (`from:` and `to:` on the target), when it differs from the section's; null: the
    /// section's period.
    /// </summary>
    public CalibrationPeriod? Period { get; init; }

    /// <summary>
    /// A held-out figure (`held_out: true`): reported with its error, but no input was set from it and it does not
    /// decide whether the calibration passes, so it stays an honest test of the model's prediction.
    /// </summary>
    public bool HeldOut { get; init; }
}

/// <summary>A calibration period, first and last day included.</summary>
public sealed record CalibrationPeriod(DateOnly From, DateOnly To)
{
    public int Days => To.DayNumber - From.DayNumber + 1;
}
