using TradeSim.Kernel;

namespace TradeSim.Kernel.Tests;

/// <summary>
/// Waiting cargo held in age bins gives trucks the same loads, in the same order, as a queue of individual
/// truckloads would (the model before bins), and holds at most <see cref="WaitingCargo.MaxBinsPerFlow"/> bins a flow.
/// </summary>
public class WaitingCargoTests
{
    // Flows 4, 1 and 6 of an eight-flow network belong to this carrier, handed over in that order.
    private static readonly int[] CarrierFlows = [4, 1, 6];

    [Fact]
    public void Takes_TheSameLoadsInTheSameOrder_AsOneQueueOfTruckloads()
    {
        var random = new Random(20261128);
        var cargo = new WaitingCargo(CarrierFlows, Positions());
        var reference = new Queue<(int Flow, double ReadyTime)>();

        for (var step = 1; step <= 500; step++)
        {
            // Each step the provinces hand over some flows' loads, in hand-over order, all ready at the step's end.
            foreach (var flow in CarrierFlows)
            {
                var loads = random.Next(4) == 0 ? 0 : random.Next(1, 6);
                if (loads == 0)
                {
                    continue;
                }

                cargo.Add(flow, loads, step);
                for (var i = 0; i < loads; i++)
                {
                    reference.Enqueue((flow, step));
                }
            }

            // Fewer trucks than loads on average, so a backlog builds up and drains.
            for (var trucks = random.Next(0, 9); trucks > 0 && reference.Count > 0; trucks--)
            {
                Assert.False(cargo.IsEmpty);
                Assert.Equal(reference.Dequeue(), cargo.TakeOldest());
            }

            Assert.Equal(reference.Count == 0, cargo.IsEmpty);
        }

        Assert.True(reference.Count > 100, "the backlog never built up: the order across steps was not tested");
    }

    [Fact]
    public void AFlowWaitingLongerThanItsBins_MergesItsOldest_AndLosesNoLoad()
    {
        var cargo = new WaitingCargo(CarrierFlows, Positions());
        var steps = WaitingCargo.MaxBinsPerFlow + 500;
        for (var step = 1; step <= steps; step++)
        {
            cargo.Add(1, 2, step);
            cargo.Add(6, 1, step);
        }

        Assert.Equal(2 * WaitingCargo.MaxBinsPerFlow, cargo.BinCount);

        var taken = new Dictionary<int, int> { [1] = 0, [6] = 0 };
        var first = cargo.TakeOldest();
        taken[first.Flow]++;
        while (!cargo.IsEmpty)
        {
            taken[cargo.TakeOldest().Flow]++;
        }

        // The merged bins keep the oldest ready time: the first load out is one of the first step's.
        Assert.Equal(1.0, first.ReadyTime);
        Assert.Equal(2 * steps, taken[1]);
        Assert.Equal(steps, taken[6]);
    }

    [Fact]
    public void LoadsReadyAtOneTime_AreOneBin()
    {
        var cargo = new WaitingCargo(CarrierFlows, Positions());

        cargo.Add(4, 3, 10);
        cargo.Add(4, 5_000_000_000, 10);

        Assert.Equal(1, cargo.BinCount);
    }

    private static int[] Positions()
    {
        var positions = new int[8];
        for (var i = 0; i < CarrierFlows.Length; i++)
        {
            positions[CarrierFlows[i]] = i;
        }

        return positions;
    }
}
