namespace TradeSim.Kernel;

/// <summary>What a KPI measures: a gate, one post of a gate, a corridor, the whole network, a flow, or a flow through one gate.</summary>
public enum KpiGroup
{
    Gate,
    Post,
    Corridor,
    Total,
    Flow,
    Route,
    Fleet,
}

/// <summary>How a run forms the KPI from what happened in its statistics window.</summary>
public enum KpiAggregation
{
    /// <summary>Trucks or legs counted.</summary>
    Count,

    /// <summary>A quantity summed (tonnes, dollars).</summary>
    Sum,

    /// <summary>The mean over the trucks or trips it concerns.</summary>
    Mean,

    /// <summary>The 95th percentile over the trucks it concerns.</summary>
    Percentile95,

    /// <summary>The largest value at the end of any step.</summary>
    Maximum,

    /// <summary>The time average over the window.</summary>
    TimeAverage,

    /// <summary>A ratio of two sums over the window (busy hours over open hours, cost over tonnes, km over hours).</summary>
    Ratio,
}

/// <summary>How the report draws a KPI besides its tables.</summary>
public enum KpiChart
{
    None,

    /// <summary>A bar per scenario at each entity of the group, with the 95% interval as whiskers.</summary>
    Bars,
}

/// <summary>A KPI of one run; <see cref="double.NaN"/> when the run had no observation of it ("no data", never 0).</summary>
public readonly record struct KpiValue(string Name, double Value);

/// <summary>
/// One measure of the catalogue: its name within its group, its unit, a label and a description for people, whether it
/// is a headline KPI (judged by `--precision`, led with in text and report), how a run forms it, how the report charts
/// it, and when a run has no observation of it. Full KPI names are <c>group.entity.measure</c>
/// (<see cref="NameFor"/>).
/// </summary>
public abstract class KpiMeasure
{
    private protected KpiMeasure(KpiGroup group, string measure, string unit, string label, string description, bool headline, KpiAggregation aggregation, KpiChart chart)
    {
        Group = group;
        Measure = measure;
        Unit = unit;
        Label = label;
        Description = description;
        Headline = headline;
        Aggregation = aggregation;
        Chart = chart;
    }

    public KpiGroup Group { get; }

    /// <summary>The last part of the KPI name: "hours_to_cross_mean".</summary>
    public string Measure { get; }

    /// <summary>"trucks", "t", "USD", "h", "km/h", "share" (0 to 1), "ratio" (a pure number, not bounded by 1).</summary>
    public string Unit { get; }

    /// <summary>A short phrase for tables and charts: "mean hours to cross".</summary>
    public string Label { get; }

    /// <summary>One or two sentences for the glossary: what is counted, over what, and when it has no data.</summary>
    public string Description { get; }

    public bool Headline { get; }

    public KpiAggregation Aggregation { get; }

    public KpiChart Chart { get; }

    /// <summary>The KPI's name pattern with the entity as a placeholder: "gate.G.hours_to_cross_mean".</summary>
    public string Pattern => NameFor(Group switch
    {
        KpiGroup.Gate => "G",
        KpiGroup.Post => "G.P",
        KpiGroup.Corridor => "C",
        KpiGroup.Flow => "F",
        KpiGroup.Route => "F.G",
        KpiGroup.Fleet => "K",
        _ => string.Empty,
    });

    /// <summary>The full KPI name for one entity ("" for totals): "gate.nam-giang.trucks", "total.trade_value_usd".</summary>
    public string NameFor(string entity) =>
        Group == KpiGroup.Total ? $"{KpiCatalogue.Prefix(Group)}.{Measure}" : $"{KpiCatalogue.Prefix(Group)}.{entity}.{Measure}";
}

/// <summary>A measure read from one kind of result (a gate, a post, a corridor, the run).</summary>
public sealed class KpiMeasure<T> : KpiMeasure
{
    private readonly Func<T, double> _value;
    private readonly Func<T, bool> _observed;

    internal KpiMeasure(KpiGroup group, string measure, string unit, string label, string description, bool headline, KpiAggregation aggregation, KpiChart chart, Func<T, double> value, Func<T, bool>? observed = null)
        : base(group, measure, unit, label, description, headline, aggregation, chart)
    {
        _value = value;
        _observed = observed ?? (_ => true);
    }

    /// <summary>The measure of <paramref name="source"/>, or NaN when the run observed nothing it could be measured on.</summary>
    public double ValueOf(T source) => _observed(source) ? _value(source) : double.NaN;
}

/// <summary>
/// Every KPI TradeSim reports, declared once, next to the result it is read from. Batches store these names; `run`
/// writes the same names for the same measures; statistics, `--precision`, the text, JSON, CSV and HTML outputs and
/// the glossary all read this list rather than naming measures themselves. A measure whose run saw nothing to
/// measure (no truck crossed, so no crossing time) has no value in that run: "no data", never 0.
/// </summary>
public static class KpiCatalogue
{
    /// <summary>A post's key within its gate: the gate id and the post's country ("nam-giang.vn").</summary>
    public static string PostEntity(string gate, PostResult post)
    {
        ArgumentNullException.ThrowIfNull(post);
        return $"{gate}.{post.Country}";
    }

    // The measures code names directly (the material-traffic rule, the report's summary and map, the daily series
    // columns); each is also in its group's list below.
    public static readonly KpiMeasure<GateResult> GateTrucks =
        new(KpiGroup.Gate, "trucks", "trucks", "trucks that crossed", "Trucks that completed both posts of the gate in the window, loaded and empty.", headline: true, KpiAggregation.Count, KpiChart.Bars, g => g.Trucks);

    public static readonly KpiMeasure<GateResult> GateTonnes =
        new(KpiGroup.Gate, "tonnes", "t", "tonnes that crossed", "Cargo that crossed the gate, in tonnes.", headline: false, KpiAggregation.Sum, KpiChart.Bars, g => g.Tonnes);

    public static readonly KpiMeasure<GateResult> GateHoursToCrossMean =
        new(KpiGroup.Gate, "hours_to_cross_mean", "h", "mean hours to cross", "Hours from arrival at the first post to release from the second, waiting included, over every truck that crossed (loaded and empty). No data when no truck crossed.", headline: false, KpiAggregation.Mean, KpiChart.Bars, g => g.MeanHoursToCross, g => g.Trucks > 0);

    public static readonly KpiMeasure<GateResult> GateMeanQueue =
        new(KpiGroup.Gate, "mean_queue", "trucks", "mean queue", "Trucks queued at the gate's two posts together, time-averaged over the window.", headline: false, KpiAggregation.TimeAverage, KpiChart.None, g => g.Posts.Sum(p => p.MeanQueueLength));

    public static readonly KpiMeasure<CorridorResult> CorridorTrucks =
        new(KpiGroup.Corridor, "trucks", "trucks", "trucks that crossed", "Trucks that crossed any gate of the corridor.", headline: false, KpiAggregation.Count, KpiChart.None, c => c.Trucks);

    public static readonly KpiMeasure<(FlowResult Flow, string Gate)> RouteTonnes =
        new(KpiGroup.Route, "tonnes", "t", "tonnes delivered by route", "A flow's cargo delivered through one gate it can use (\"_direct\" for a flow that crosses no border).", headline: false, KpiAggregation.Sum, KpiChart.None, r => r.Flow.TonnesByGate[r.Gate]);

    /// <summary>The WCO Time Release Study split of <see cref="GateHoursToCrossMean"/>, in order: its parts add up to it.</summary>
    public static IReadOnlyList<KpiMeasure<GateResult>> CrossingSplit { get; } =
    [
        new(KpiGroup.Gate, "opening_wait_hours_mean", "h", "waiting for opening", "WCO Time Release Study split of the mean hours to cross, part 1: hours a truck waited while a post was closed (outside its hours, or during a closure). The four parts add up to hours_to_cross_mean. No data when no truck crossed.", headline: false, KpiAggregation.Mean, KpiChart.None, g => g.Split.OpeningWaitHours, g => g.Trucks > 0),
        new(KpiGroup.Gate, "queueing_hours_mean", "h", "queueing", "WCO split, part 2: hours a truck waited at an open post whose lanes were busy (congestion). No data when no truck crossed.", headline: false, KpiAggregation.Mean, KpiChart.None, g => g.Split.QueueingHours, g => g.Trucks > 0),
        new(KpiGroup.Gate, "service_hours_mean", "h", "inspection and clearance", "WCO split, part 3: hours of inspection and clearance at both posts. No data when no truck crossed.", headline: false, KpiAggregation.Mean, KpiChart.None, g => g.Split.ServiceHours, g => g.Trucks > 0),
        new(KpiGroup.Gate, "transfer_hours_mean", "h", "transfer between posts", "WCO split, part 4: the drive between the gate's two posts. No data when no truck crossed.", headline: false, KpiAggregation.Mean, KpiChart.None, g => g.Split.TransferHours, g => g.Trucks > 0),
    ];

    public static readonly IReadOnlyList<KpiMeasure<GateResult>> Gate =
    [
        GateTrucks,
        new(KpiGroup.Gate, "loaded_trucks", "trucks", "loaded trucks", "Trucks that crossed with cargo.", headline: false, KpiAggregation.Count, KpiChart.None, g => g.LoadedTrucks),
        GateTonnes,
        new(KpiGroup.Gate, "value_usd", "USD", "value that crossed", "Value of the cargo that crossed the gate.", headline: false, KpiAggregation.Sum, KpiChart.None, g => g.ValueUsd),
        GateHoursToCrossMean,
        new(KpiGroup.Gate, "hours_to_cross_p95", "h", "95th percentile hours to cross", "The 95th percentile of the same hours: one truck in twenty took longer. No data when no truck crossed.", headline: false, KpiAggregation.Percentile95, KpiChart.Bars, g => g.P95HoursToCross, g => g.Trucks > 0),
        new(KpiGroup.Gate, "max_queue", "trucks", "maximum queue", "The most trucks queued at the gate's two posts together at the end of any step.", headline: false, KpiAggregation.Maximum, KpiChart.Bars, g => g.MaxQueue),
        .. CrossingSplit,
        GateMeanQueue,
        new(KpiGroup.Gate, "utilisation", "share", "utilisation", "Busy lane-hours (trucks and non-truck vehicles) over open lane-hours at the gate's two posts together (0 to 1); each post's own figure is under post. No data when the gate never opened a lane.", headline: false, KpiAggregation.Ratio, KpiChart.Bars, g => g.Utilisation, g => g.Posts.Any(p => p.Lanes > 0) && double.IsFinite(g.Utilisation)),
        new(KpiGroup.Gate, "turned_back", "trucks", "trucks turned back", "Trucks that found the gate closed, or were queued at their entry post when it closed, and turned back to take another route because waiting would cost more.", headline: false, KpiAggregation.Count, KpiChart.None, g => g.TurnedBackTrucks),
        new(KpiGroup.Gate, "stranded_truck_hours", "truck-h", "truck-hours stranded by closures", "Truck-hours spent inside the gate (queued, being served or between the posts) while a closure was in force.", headline: false, KpiAggregation.Sum, KpiChart.None, g => g.StrandedTruckHours),
        new(KpiGroup.Gate, "person_crossings", "persons", "person crossings", "Persons who crossed the gate in the window, both ways, cleared at both posts' immigration counters (the scenario's `travellers:`; truck crews are not counted). run --json breaks them down by nationality.", headline: false, KpiAggregation.Count, KpiChart.None, g => g.PersonCrossings),
        new(KpiGroup.Gate, "vehicle_crossings", "vehicles", "vehicle crossings", "Every vehicle that crossed the gate in the window: trucks loaded and empty, both ways, and non-truck vehicles (cars, vans, buses).", headline: false, KpiAggregation.Count, KpiChart.None, g => g.VehicleCrossings),
        new(KpiGroup.Gate, "non_truck_vehicle_crossings", "vehicles", "non-truck vehicle crossings", "The travellers' cars, vans and buses that crossed the gate in the window; they share the trucks' lanes and queues.", headline: false, KpiAggregation.Count, KpiChart.None, g => g.NonTruckVehicleCrossings),
        new(KpiGroup.Gate, "transit_declarations", "declarations", "transit declarations", "Customs transit declarations lodged at the gate's posts in the window, each with the first truck of a lot of a flow's loaded transit trips.", headline: false, KpiAggregation.Count, KpiChart.None, g => g.TransitDeclarations),
        new(KpiGroup.Gate, "trips_per_declaration", "ratio", "trips per declaration", "Loaded transit trips lodged under declarations in the window over the declarations lodged. No data without a declaration.", headline: false, KpiAggregation.Ratio, KpiChart.None, g => (double)g.DeclaredTrips / g.TransitDeclarations, g => g.TransitDeclarations > 0),
        new(KpiGroup.Gate, "arrival_dispersion", "ratio", "arrival dispersion", "Index of dispersion of the trucks arriving at the gate (at either entry post): the variance over the mean of the arrivals per hour of the window. About 1 when arrivals are as irregular as Poisson ones (`release: poisson`), below 1 when they are more regular (even release), above 1 when they bunch (days and seasons of unequal production). No data when no truck arrived.", headline: false, KpiAggregation.Ratio, KpiChart.None, g => g.ArrivalDispersion, g => double.IsFinite(g.ArrivalDispersion)),
    ];

    public static readonly IReadOnlyList<KpiMeasure<PostResult>> Post =
    [
        new(KpiGroup.Post, "served", "trucks", "trucks served", "Trucks the post released in the window.", headline: false, KpiAggregation.Count, KpiChart.None, p => p.Served),
        new(KpiGroup.Post, "utilisation", "share", "post utilisation", "Busy lane-hours (trucks and non-truck vehicles) over open lane-hours at this post alone (0 to 1). No data when the post has no lane.", headline: false, KpiAggregation.Ratio, KpiChart.Bars, p => p.Utilisation, p => p.Lanes > 0 && double.IsFinite(p.Utilisation)),
        new(KpiGroup.Post, "mean_queue", "trucks", "post mean queue", "Trucks queued at this post, time-averaged over the window.", headline: false, KpiAggregation.TimeAverage, KpiChart.None, p => p.MeanQueueLength),
        new(KpiGroup.Post, "wait_hours_mean", "h", "post mean wait", "Hours a truck waited at this post before its service began: waiting for opening plus queueing. No data when the post served no truck.", headline: false, KpiAggregation.Mean, KpiChart.Bars, p => p.MeanWaitHours, p => p.Served > 0),
        new(KpiGroup.Post, "opening_wait_hours_mean", "h", "post waiting for opening", "The part of this post's mean wait spent while it was closed (outside its hours, or during a closure). No data when the post served no truck.", headline: false, KpiAggregation.Mean, KpiChart.None, p => p.MeanOpeningWaitHours, p => p.Served > 0),
        new(KpiGroup.Post, "queueing_hours_mean", "h", "post queueing", "The part of this post's mean wait spent while it was open and its lanes busy; with the waiting for opening it makes wait_hours_mean. No data when the post served no truck.", headline: false, KpiAggregation.Mean, KpiChart.None, p => p.MeanQueueingHours, p => p.Served > 0),
        new(KpiGroup.Post, "service_hours_mean", "h", "post mean service", "Hours of inspection and clearance per truck at this post. No data when the post served no truck.", headline: false, KpiAggregation.Mean, KpiChart.None, p => p.MeanServiceHours, p => p.Served > 0),
        new(KpiGroup.Post, "immigration_wait_hours_mean", "h", "immigration mean wait", "Hours a person waited at this post's immigration counters before clearance began: for opening, and in the queue. No data when the post cleared no person.", headline: false, KpiAggregation.Mean, KpiChart.None, p => p.MeanImmigrationWaitHours, p => p.PersonsServed > 0),
    ];

    public static readonly IReadOnlyList<KpiMeasure<CorridorResult>> Corridor =
    [
        CorridorTrucks,
        new(KpiGroup.Corridor, "tonnes", "t", "tonnes that crossed", "Cargo that crossed any gate of the corridor.", headline: false, KpiAggregation.Sum, KpiChart.None, c => c.Tonnes),
        new(KpiGroup.Corridor, "hours_to_cross_mean", "h", "mean hours to cross", "As the gate measure, over every truck that crossed a gate of the corridor. No data when none crossed.", headline: false, KpiAggregation.Mean, KpiChart.None, c => c.MeanHoursToCross, c => c.Trucks > 0),
        new(KpiGroup.Corridor, "loaded_trips", "trips", "loaded trips", "ADB CAREC basis: loaded trips (origin to destination) through the corridor that ended in the window.", headline: false, KpiAggregation.Count, KpiChart.None, c => c.Trips.Legs),
        new(KpiGroup.Corridor, "hours_to_cross", "h", "hours to cross (CAREC)", "ADB CAREC: hours to cross the border, waiting included, per loaded trip. No data without a loaded trip.", headline: true, KpiAggregation.Mean, KpiChart.None, c => c.Trips.HoursToCross, c => c.Trips.Legs > 0),
        new(KpiGroup.Corridor, "crossing_cost_usd", "USD", "cost of a crossing (CAREC)", "ADB CAREC: the gate fee plus the border hours at the carrier's hourly cost, per loaded trip. No data without a loaded trip.", headline: false, KpiAggregation.Mean, KpiChart.None, c => c.Trips.CrossingCostPerTripUsd, c => c.Trips.Legs > 0),
        new(KpiGroup.Corridor, "cost_per_500km_20t_usd", "USD", "cost per 500 km and 20 t (CAREC)", "ADB CAREC: trip cost (km at the cost per km, hours at the cost per hour, fees) per tonne-km, times 500 km and 20 t. No data without a loaded trip.", headline: false, KpiAggregation.Ratio, KpiChart.None, c => c.Trips.CostPer500Km20TUsd, c => c.Trips.TonneKm > 0),
        new(KpiGroup.Corridor, "speed_with_delays_kmh", "km/h", "speed with delays (CAREC)", "ADB CAREC: trip km over trip hours, border time included. No data without a loaded trip.", headline: false, KpiAggregation.Ratio, KpiChart.None, c => c.Trips.SpeedWithDelaysKmh, c => c.Trips.Hours > 0),
        new(KpiGroup.Corridor, "speed_without_delays_kmh", "km/h", "speed without delays (CAREC)", "ADB CAREC: trip km over the hours on the road, border time left out. No data without a loaded trip.", headline: false, KpiAggregation.Ratio, KpiChart.None, c => c.Trips.SpeedWithoutDelaysKmh, c => c.Trips.Hours - c.Trips.BorderHours > 0),
    ];

    public static readonly KpiMeasure<RunResult> TotalTonnesDelivered =
        new(KpiGroup.Total, "tonnes_delivered", "t", "tonnes delivered", "Cargo delivered at destinations in the window.", headline: false, KpiAggregation.Sum, KpiChart.None, DeliveredTonnes);

    /// <summary>With <see cref="TotalTonnesDelivered"/>, what a what-if's appraisal values: the logistics cost per tonne it saves.</summary>
    public static readonly KpiMeasure<RunResult> TotalLogisticsCost =
        new(KpiGroup.Total, "logistics_cost_usd", "USD", "logistics cost", "Everything the fleets spent: every km, every hour away from idle, every gate fee, every hired truck-day.", headline: false, KpiAggregation.Sum, KpiChart.None, r => r.OperatingCostUsd);

    /// <summary>The trade the response to cost and time creates; a batch sets it beside the trade a what-if diverts (TradeShift).</summary>
    public static readonly KpiMeasure<RunResult> TotalTradeCreated =
        new(KpiGroup.Total, "trade_created_t_per_year", "t", "trade created", "Tonnes a year the flows gained (lost, when negative) over their stated volumes by responding to the network's cost and time (trade_elasticity): trade the network creates, apart from trade it moves between gates.", headline: false, KpiAggregation.Sum, KpiChart.None, r => r.Flows.Sum(f => f.TradeCreatedTonnesPerYear));

    public static readonly IReadOnlyList<KpiMeasure<RunResult>> Total =
    [
        new(KpiGroup.Total, "trade_value_usd", "USD", "trade value delivered", "Value of the cargo delivered at destinations in the window.", headline: true, KpiAggregation.Sum, KpiChart.None, r => r.Commodities.Sum(c => c.DeliveredValueUsd)),
        TotalTonnesDelivered,
        TotalLogisticsCost,
        new(KpiGroup.Total, "logistics_cost_per_tonne_usd", "USD/t", "logistics cost per tonne", "The logistics cost over the tonnes delivered. No data when nothing was delivered.", headline: true, KpiAggregation.Ratio, KpiChart.None, r => r.OperatingCostUsd / DeliveredTonnes(r), r => DeliveredTonnes(r) > 0),
        TotalTradeCreated,
        new(KpiGroup.Total, "trucks_diverted", "legs", "border legs diverted", "Border legs that did not take the gate they would prefer with every gate open and empty.", headline: false, KpiAggregation.Count, KpiChart.None, r => r.LegsDiverted),
        new(KpiGroup.Total, "border_legs", "legs", "border legs", "Truck legs that crossed a border.", headline: false, KpiAggregation.Count, KpiChart.None, r => r.LegsThroughGates),
    ];

    public static readonly IReadOnlyList<KpiMeasure<FlowResult>> Flow =
    [
        new(KpiGroup.Flow, "tonnes", "t", "tonnes delivered", "A flow's cargo delivered at its destination in the window.", headline: false, KpiAggregation.Sum, KpiChart.None, f => f.DeliveredTonnes),
        new(KpiGroup.Flow, "volume_factor", "ratio", "volume over stated volume", "The flow's volume over the volume its scenario states: 1 unless its commodity's trade responds to cost (trade_elasticity) and this network carries it dearer or cheaper than the reference (the baseline a what-if extends).", headline: false, KpiAggregation.Ratio, KpiChart.None, f => f.VolumeFactor),
    ];

    /// <summary>Each carrier's fleet: how busy, how fast it turns round, how much it drives empty, and what it left waiting.</summary>
    public static readonly IReadOnlyList<KpiMeasure<FleetResult>> Fleet =
    [
        new(KpiGroup.Fleet, "utilisation", "share", "fleet utilisation", "Share of the fleet's truck-hours in the window spent away from idle at home (driving, at gates, loading, unloading).", headline: false, KpiAggregation.Ratio, KpiChart.None, f => f.Utilisation),
        new(KpiGroup.Fleet, "turnaround_hours_mean", "h", "turnaround time", "Hours from sending a truck for a load to its return home empty, over round trips that ended in the window. No data without a round trip.", headline: false, KpiAggregation.Mean, KpiChart.None, f => f.MeanTurnaroundHours, f => f.RoundTrips > 0),
        new(KpiGroup.Fleet, "empty_km_share", "share", "share of km driven empty", "Kilometres driven without cargo (to the origin, and home from the destination unless the truck found a return load there) over all kilometres, in the window. No data when the fleet drove nowhere.", headline: false, KpiAggregation.Ratio, KpiChart.None, f => f.EmptyKmShare, f => f.Km > 0),
        new(KpiGroup.Fleet, "hired_truck_days", "truck-days", "hired truck-days", "Days the fleet had extra trucks hired in the window, each hire's hours rounded up to whole days (0 for a fleet that does not hire); at the carrier's day rate they are in total.logistics_cost_usd.", headline: false, KpiAggregation.Sum, KpiChart.None, f => f.HiredTruckDays),
        new(KpiGroup.Fleet, "backlog_tonnes", "t", "cargo left waiting", "Cargo handed to the fleet and still waiting for a truck when the run ended: demand the fleet did not carry.", headline: false, KpiAggregation.Sum, KpiChart.None, f => f.BacklogTonnes),
        new(KpiGroup.Fleet, "backlog_value_usd", "USD", "value left waiting", "Value of the cargo left waiting for a truck when the run ended, at its flows' values per tonne.", headline: false, KpiAggregation.Sum, KpiChart.None, f => f.BacklogValueUsd),
        new(KpiGroup.Fleet, "planned_wait_hours", "truck-h", "hours waited to reach gates open", "Truck-hours the fleet's planning drivers (planning_share) waited at the start of a leg so as to reach the gate when its posts are open, instead of waiting there.", headline: false, KpiAggregation.Sum, KpiChart.None, f => f.PlannedWaitHours),
        new(KpiGroup.Fleet, "rerouted_legs", "legs", "legs rerouted after turning back", "Legs whose truck turned back from a closed gate and chose its route again.", headline: false, KpiAggregation.Count, KpiChart.None, f => f.LegsRerouted),
        new(KpiGroup.Fleet, "backlog_age_hours_mean", "h", "age of the cargo left waiting", "Hours that cargo had waited, on average, when the run ended. No data when nothing was waiting.", headline: false, KpiAggregation.Mean, KpiChart.None, f => f.BacklogMeanAgeHours, f => f.BacklogTonnes > 0),
    ];

    /// <summary>A flow's tonnes through one of its gates: the source is the flow and the gate ("" for a flow that crosses none).</summary>
    public static readonly IReadOnlyList<KpiMeasure<(FlowResult Flow, string Gate)>> Route =
    [
        RouteTonnes,
    ];

    /// <summary>The route entity of a flow through no gate.</summary>
    public const string DirectRoute = "_direct";

    /// <summary>Every measure, group by group, in the order runs list them.</summary>
    public static IReadOnlyList<KpiMeasure> All { get; } = [.. Gate, .. Post, .. Corridor, .. Total, .. Flow, .. Route, .. Fleet];

    private static readonly Dictionary<(KpiGroup, string), KpiMeasure> ByGroupAndMeasure = All.ToDictionary(m => (m.Group, m.Measure));

    /// <summary>The first part of a KPI name for a group.</summary>
    public static string Prefix(KpiGroup group) => group switch
    {
        KpiGroup.Gate => "gate",
        KpiGroup.Post => "post",
        KpiGroup.Corridor => "corridor",
        KpiGroup.Total => "total",
        KpiGroup.Flow => "flow",
        KpiGroup.Route => "route",
        KpiGroup.Fleet => "fleet",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "not a KPI group"),
    };

    /// <summary>
    /// A KPI name taken apart: its measure in the catalogue and its entity ("nam-giang", "nam-giang.vn" for a post,
    /// "flow.gate" for a route, "" for a total); null for a name the catalogue does not declare. Ids never contain
    /// dots, so splitting on them is exact.
    /// </summary>
    public static (KpiMeasure Measure, string Entity)? Find(string kpi)
    {
        ArgumentNullException.ThrowIfNull(kpi);
        var parts = kpi.Split('.');
        var group = parts[0] switch
        {
            "gate" => KpiGroup.Gate,
            "post" => KpiGroup.Post,
            "corridor" => KpiGroup.Corridor,
            "total" => KpiGroup.Total,
            "flow" => KpiGroup.Flow,
            "route" => KpiGroup.Route,
            "fleet" => KpiGroup.Fleet,
            _ => (KpiGroup?)null,
        };
        var entityParts = group switch
        {
            KpiGroup.Total => 0,
            KpiGroup.Post or KpiGroup.Route => 2,
            null => -1,
            _ => 1,
        };
        if (entityParts < 0 || parts.Length != entityParts + 2 || !ByGroupAndMeasure.TryGetValue((group!.Value, parts[^1]), out var measure))
        {
            return null;
        }

        return (measure, string.Join('.', parts[1..^1]));
    }

    /// <summary>The entity of a KPI's gate, post or corridor whose truck count says whether its traffic is material; null for other groups.</summary>
    public static string? TrafficKpiOf(string kpi)
    {
        if (Find(kpi) is not var (measure, entity))
        {
            return null;
        }

        return measure.Group switch
        {
            KpiGroup.Gate => GateTrucks.NameFor(entity),
            KpiGroup.Corridor => CorridorTrucks.NameFor(entity),

            // A post's material traffic is its gate's.
            KpiGroup.Post => GateTrucks.NameFor(entity[..entity.IndexOf('.', StringComparison.Ordinal)]),
            _ => null,
        };
    }

    public static bool IsHeadline(string kpi) => Find(kpi) is { Measure.Headline: true };

    /// <summary>
    /// The run's KPIs in catalogue order: per gate its measures, then each post's, per corridor, the totals, per flow
    /// and per route, per fleet. Every run of a scenario lists the same names in the same order; a measure without data in this
    /// run is NaN (stores keep no row for it, statistics count only the runs that have it).
    /// </summary>
    public static IReadOnlyList<KpiValue> Extract(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var kpis = new List<KpiValue>(All.Count * (result.Gates.Count + result.Corridors.Count + result.Flows.Count));
        foreach (var g in result.Gates)
        {
            Add(kpis, Gate, g, g.Id);
        }

        foreach (var g in result.Gates)
        {
            foreach (var p in g.Posts)
            {
                Add(kpis, Post, p, PostEntity(g.Id, p));
            }
        }

        foreach (var c in result.Corridors)
        {
            Add(kpis, Corridor, c, c.Id);
        }

        Add(kpis, Total, result, string.Empty);
        foreach (var f in result.Flows)
        {
            Add(kpis, Flow, f, f.Id);
            foreach (var gate in f.TonnesByGate.Keys)
            {
                Add(kpis, Route, (f, gate), $"{f.Id}.{(gate.Length == 0 ? DirectRoute : gate)}");
            }
        }

        foreach (var fleet in result.Fleets)
        {
            Add(kpis, Fleet, fleet, fleet.Id);
        }

        return kpis;
    }

    private static void Add<T>(List<KpiValue> kpis, IReadOnlyList<KpiMeasure<T>> measures, T source, string entity)
    {
        foreach (var m in measures)
        {
            kpis.Add(new KpiValue(m.NameFor(entity), m.ValueOf(source)));
        }
    }

    private static double DeliveredTonnes(RunResult r) => r.Commodities.Sum(c => c.DeliveredTonnes);
}
