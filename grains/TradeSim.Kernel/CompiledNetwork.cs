using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// A scenario turned into indices and tables the kernel can use directly: every id resolved to an array index,
/// distances and travel times between the places a truck visits precomputed, and each leg of a flow's truck cycle
/// given its candidate gates. Built once per scenario and shared, read-only, by all of its runs.
/// </summary>
public sealed class CompiledNetwork
{
    internal CompiledNetwork(
        ScenarioDefinition definition,
        string[] commodities,
        NodeSpec[] nodes,
        GateSpec[] gates,
        CarrierSpec[] carriers,
        FlowSpec[] flows,
        LegOption[] legOptions)
    {
        Definition = definition;
        Commodities = commodities;
        Nodes = nodes;
        Gates = gates;
        Carriers = carriers;
        Flows = flows;
        LegOptions = legOptions;
        TruckCount = carriers.Length == 0 ? 0 : carriers[^1].FirstTruck + carriers[^1].Slots;
    }

    public ScenarioDefinition Definition { get; }

    internal string[] Commodities { get; }

    internal NodeSpec[] Nodes { get; }

    internal GateSpec[] Gates { get; }

    internal CarrierSpec[] Carriers { get; }

    internal FlowSpec[] Flows { get; }

    /// <summary>Candidate routes of every leg, indexed through <see cref="FlowSpec.LegStart"/> and <see cref="FlowSpec.LegCount"/>.</summary>
    internal LegOption[] LegOptions { get; }

    /// <summary>Trucks of every fleet, with the slots of the trucks each may hire: the range of truck ids.</summary>
    public int TruckCount { get; }

    /// <summary>Hours the run simulates, warm-up included.</summary>
    internal double RunHours => (Definition.Settings.WarmupDays + Definition.Settings.Days) * 24.0;

    /// <summary>
    /// Fleets whose flows ask for more truck-hours a year than the fleet has, with every truck driving each flow's
    /// preferred routes at free-flow times (no queue, posts' mean service, the mean load and unload): demand such a
    /// fleet cannot carry piles up at the origin whatever the gates do. Capacity here is an upper bound (trucks also
    /// wait for opening hours), so a fleet near the limit can fall short without being named. The trucks a fleet may
    /// hire count: a backlog that persists keeps them hired, so they carry the demand for as long as it lasts.
    /// </summary>
    public IReadOnlyList<FleetShortfall> FleetShortfalls()
    {
        var shortfalls = new List<FleetShortfall>();
        for (var c = 0; c < Carriers.Length; c++)
        {
            var carrier = Carriers[c];
            var needed = 0.0;
            var loadsPerYear = 0.0;
            foreach (var flow in Flows.Where(f => f.Carrier == c))
            {
                var cycle = carrier.LoadHours + carrier.UnloadHours;
                for (var leg = 0; leg < 3; leg++)
                {
                    var o = LegOptions[flow.LegStart[leg] + flow.PreferredOption[leg]];
                    cycle += o.Hours1 + o.Hours2 + (o.Gate >= 0 ? Gates[o.Gate].CrossingHours(o.EntryPost, leg == Leg.OriginToDestination ? flow.Commodity : -1) : 0);
                }

                var loads = flow.KgPerHour * HoursPerYear / carrier.CapacityKg;
                loadsPerYear += loads;
                needed += loads * cycle;
            }

            var available = carrier.Slots * HoursPerYear;
            if (needed > available)
            {
                shortfalls.Add(new FleetShortfall(carrier.Id, carrier.Trucks, loadsPerYear * carrier.CapacityKg / 1000.0, needed, available) { MaxHiredTrucks = carrier.HireMaxTrucks });
            }
        }

        return shortfalls;
    }

    private const double HoursPerYear = 365 * 24.0;

    /// <summary>Compiles a validated definition; routing problems (a flow with no route) come back as located errors.</summary>
    public static CompiledNetwork? Compile(ScenarioDefinition definition, List<ScenarioError> errors) => NetworkCompiler.Compile(definition, errors);
}

/// <summary>A fleet whose demand needs more truck-hours a year (at free-flow times) than its trucks, and those it may hire, have.</summary>
public sealed record FleetShortfall(string Carrier, int Trucks, double TonnesPerYear, double TruckHoursNeeded, double TruckHoursAvailable)
{
    /// <summary>Trucks the fleet may hire besides its own (their hours are in <see cref="TruckHoursAvailable"/>).</summary>
    public int MaxHiredTrucks { get; init; }

    /// <summary>Trucks the demand needs at free-flow times, rounded up.</summary>
    public int TrucksNeeded => (int)Math.Ceiling(TruckHoursNeeded / (365 * 24.0));
}

internal sealed record NodeSpec(string Id, string Country);

internal sealed class PostSpec
{
    public required string Country { get; init; }

    public required int Lanes { get; init; }

    public required double OpenHour { get; init; }

    public required double CloseHour { get; init; }

    public required int HoldingCapacity { get; init; }

    /// <summary>Mean service hours per commodity index; the last entry is for empty trucks.</summary>
    public required double[] ServiceMeanHours { get; init; }

    public required double[] ServiceCv { get; init; }

    /// <summary>Mean hours of a non-truck vehicle's check at the vehicle lanes.</summary>
    public double VehicleServiceMeanHours { get; init; }

    public double VehicleServiceCv { get; init; }

    /// <summary>Immigration counters clearing persons (0: the post clears none).</summary>
    public int ImmigrationCounters { get; init; }

    public double ImmigrationMeanHours { get; init; }

    public double ImmigrationCv { get; init; }

    /// <summary>Loaded transit trips one customs declaration lodged here covers (0: the post lodges none).</summary>
    public double TripsPerDeclaration { get; init; }

    /// <summary>Hours the processing of a declaration adds to the service of its lot's first truck.</summary>
    public double DeclarationHours { get; init; }

    public bool OpenAllDay => OpenHour <= 0 && CloseHour >= 24;

    /// <summary>The mean wait for opening of a truck arriving at a random time of day: the closed share of the day times half its closed hours.</summary>
    public double MeanOpeningWaitHours
    {
        get
        {
            var closed = 24.0 - Math.Clamp(CloseHour - OpenHour, 0, 24);
            return closed * closed / 48.0;
        }
    }

    /// <summary>
    /// Hours from <paramref name="time"/> until the post's daily hours next have it open (0 when open): what a
    /// carrier planning a route expects to wait for opening. Closures are not in it: they are known only when
    /// announced (the gate's bulletin).
    /// </summary>
    public double HoursUntilOpen(double time)
    {
        if (OpenAllDay)
        {
            return 0;
        }

        var hourOfDay = time - (Math.Floor(time / 24.0) * 24.0);
        return hourOfDay < OpenHour ? OpenHour - hourOfDay
            : hourOfDay >= CloseHour ? 24.0 - hourOfDay + OpenHour
            : 0;
    }
}

internal sealed class GateSpec
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Corridor { get; init; }

    public required string GateClass { get; init; }

    /// <summary>The fee a loaded truck pays per crossing.</summary>
    public required double FeeUsd { get; init; }

    /// <summary>The fee an empty truck pays per crossing: <see cref="FeeUsd"/> unless the scenario sets another.</summary>
    public double FeeEmptyUsd
    {
        get => _feeEmptyUsd ?? FeeUsd;
        init => _feeEmptyUsd = value;
    }

    private readonly double? _feeEmptyUsd;

    /// <summary>What a truck pays to cross, loaded or empty.</summary>
    public double FeeFor(bool loaded) => loaded ? FeeUsd : FeeEmptyUsd;

    public required double TransferHours { get; init; }

    public required PostSpec[] Posts { get; init; }

    /// <summary>Closure intervals in simulated hours, sorted, as [start, end).</summary>
    public required (double Start, double End)[] Closures { get; init; }

    /// <summary>
    /// When each closure (same order as <see cref="Closures"/>) is announced: its notice before the start for a planned
    /// closure, +infinity for an unplanned one, which carriers learn only when trucks find it (the gate's bulletin).
    /// A gate built without it (a test's) has only unplanned closures.
    /// </summary>
    public double[] ClosureAnnouncedAt { get; init; } = [];

    /// <summary>When closure <paramref name="k"/> is announced (+infinity: unplanned, never in advance).</summary>
    public double AnnouncedAt(int k) => k < ClosureAnnouncedAt.Length ? ClosureAnnouncedAt[k] : double.PositiveInfinity;

    /// <summary>Whether a closure covers the whole of a run of <paramref name="runHours"/>: such a gate is no route at all.</summary>
    public bool ClosedThroughout(double runHours) => Array.Exists(Closures, c => c.Start <= 0 && c.End >= runHours);

    /// <summary>The end of the closure in force at <paramref name="time"/>, or <paramref name="time"/> itself when none is.</summary>
    public double ClosureEndAt(double time)
    {
        foreach (var (start, end) in Closures)
        {
            if (time >= start && time < end)
            {
                return end;
            }
        }

        return time;
    }

    /// <summary>
    /// Hours a truck reaching the gate at <paramref name="arrival"/> waits for a planned closure announced by
    /// <paramref name="now"/> (0 when none applies).
    /// </summary>
    public double AnnouncedClosureWait(double now, double arrival)
    {
        var wait = 0.0;
        for (var k = 0; k < Closures.Length; k++)
        {
            var (start, end) = Closures[k];
            if (AnnouncedAt(k) <= now && arrival >= start && arrival < end)
            {
                wait = Math.Max(wait, end - arrival);
            }
        }

        return wait;
    }

    /// <summary>Persons and their non-truck vehicles crossing the gate; null: trucks only.</summary>
    public TravellerSpec? Travellers { get; init; }

    /// <summary>Expected crossing hours of an empty truck with empty queues, entering at post 0 or post 1.</summary>
    public required double[] BaseCrossingHours { get; init; }

    /// <summary>
    /// Mean inspection and clearance at both posts for a truck carrying <paramref name="commodity"/> (-1: empty),
    /// entering at <paramref name="entry"/>: what routing adds to a gate's queues for the truck itself.
    /// </summary>
    public double ClearanceHours(int entry, int commodity)
    {
        var c = commodity < 0 ? Posts[entry].ServiceMeanHours.Length - 1 : commodity;
        return Posts[entry].ServiceMeanHours[c] + Posts[1 - entry].ServiceMeanHours[c];
    }

    /// <summary>Expected crossing hours with empty queues for a truck carrying <paramref name="commodity"/> (-1: empty).</summary>
    public double CrossingHours(int entry, int commodity) => ClearanceHours(entry, commodity) + TransferHours;
}

/// <summary>
/// A gate's travellers, compiled: non-truck vehicles arriving at each entry post as a Poisson process, each with
/// 1 + Poisson(<see cref="PersonsPerVehicle"/> - 1) persons of nationalities drawn by weight.
/// </summary>
internal sealed class TravellerSpec
{
    /// <summary>Non-truck vehicles an hour arriving at post 0 and at post 1 (each entering there).</summary>
    public required double[] VehiclesPerHour { get; init; }

    public required double PersonsPerVehicle { get; init; }

    public required string[] Nationalities { get; init; }

    /// <summary>The nationalities' cumulative shares (the last is 1): a uniform draw below entry k is nationality k.</summary>
    public required double[] NationalityCumulative { get; init; }
}

internal sealed record CarrierSpec(
    string Id,
    int HomeNode,
    int Trucks,
    int FirstTruck,
    long CapacityKg,
    double TopSpeedKmh,
    double CostPerKmUsd,
    double CostPerHourUsd,
    double LoadHours,
    double UnloadHours,
    double HandlingCv,
    double TravelCv)
{
    /// <summary>Trucks the carrier may hire at once (0: it never hires); their slots follow its own trucks' ids.</summary>
    public int HireMaxTrucks { get; init; }

    /// <summary>What a hired truck costs for each day or part of a day it is hired, on top of its km and hours.</summary>
    public double HireUsdPerDay { get; init; }

    /// <summary>Hours the oldest waiting load must have waited, with no own truck idle, before a truck is hired for it.</summary>
    public double HireAfterHours { get; init; }

    /// <summary>Whether a truck that has unloaded takes a waiting load of the carrier's from that node rather than driving home empty.</summary>
    public bool Backhaul { get; init; }

    /// <summary>Own trucks and hire slots: the truck ids from <see cref="FirstTruck"/> the carrier owns.</summary>
    public int Slots => Trucks + HireMaxTrucks;
}

internal sealed record FlowSpec(
    string Id,
    int Commodity,
    int Origin,
    int Destination,
    int Carrier,
    TrafficKind Traffic,
    double KgPerHour,
    double[] Seasonality,
    double DailyCv,
    double ValueUsdPerKg,
    int[] LegStart,
    int[] LegCount,
    int[] PreferredOption)
{
    /// <summary>
    /// The flow's volume here over its stated volume: 1 unless its commodity's trade responds to cost and this network
    /// carries it dearer or cheaper than the reference (see <see cref="TradeResponse"/>).
    /// </summary>
    public double VolumeFactor { get; init; } = 1;
}

/// <summary>
/// One way to drive a leg: straight (Gate = -1) or through a gate entered at <see cref="EntryPost"/>.
/// Km1/Hours1 lead to the gate (or the whole leg when there is none); Km2/Hours2 lead on from the gate.
/// </summary>
internal readonly record struct LegOption(int Gate, int EntryPost, double Km1, double Hours1, double Km2, double Hours2);

/// <summary>The three legs of a truck's cycle for one flow.</summary>
internal static class Leg
{
    public const int HomeToOrigin = 0;
    public const int OriginToDestination = 1;
    public const int DestinationToHome = 2;
}
