using TradeSim.Kernel.Scenarios;

namespace TradeSim.Kernel;

/// <summary>
/// A province tells the flow's carrier that <see cref="Loads"/> full truckloads (of the carrier's capacity) are ready
/// for pick-up at <see cref="ReadyTime"/>: with even release at most one message per flow and quarter hour, however
/// much the flow produces; with Poisson release one per truckload, at its own time (at most one per quarter hour again
/// for a flow busier than <see cref="ProvinceModel.MaxLoadsDrawnOneByOne"/> loads a quarter hour).
/// </summary>
internal readonly record struct ShipmentMessage(int Flow, long Loads, double ReadyTime);

/// <summary>
/// A carrier's truck arrives at a gate's entry post at <see cref="Time"/> (continuous hours). Commodity -1 is an empty
/// truck. <see cref="MaxClosureWaitHours"/> is the longest closure the truck would wait out rather than turn back and
/// take its best other route (+infinity when it has none). <see cref="Flow"/> is the flow the truck serves (-1: none
/// known): a customs post lodges one declaration per lot of a flow's loaded transit trips.
/// </summary>
internal readonly record struct GateArrivalMessage(
    int Gate,
    int EntryPost,
    int Truck,
    double Time,
    int Commodity,
    long Kg,
    double ValueUsd,
    TrafficKind Traffic,
    double MaxClosureWaitHours = double.PositiveInfinity,
    int Flow = -1);

/// <summary>
/// A gate releases a truck to the far side at <see cref="Time"/>, or, when <see cref="TurnedBack"/>, sends it back
/// from its entry post because a closure would hold it longer than it is willing to wait.
/// </summary>
internal readonly record struct GateReleaseMessage(int Truck, int Gate, double Time, bool TurnedBack = false);

/// <summary>
/// What a gate announces at the end of each step for routing: whether it is closed and until when, and its expected
/// crossing hours from each side given its queues. Carriers read the previous step's bulletin, never the gate itself.
/// </summary>
internal struct GateBulletin
{
    public double ClosedUntil;

    /// <summary>
    /// The expected wait behind the trucks queued now at both posts and the drive between them, entering at post 0 or
    /// 1: each queued truck counts at the mean service time of its own cargo. A truck choosing a route adds its own
    /// clearance at both posts (<see cref="GateSpec.ClearanceHours"/>).
    /// </summary>
    public double ExpectedHoursEnteringPost0;
    public double ExpectedHoursEnteringPost1;
}
