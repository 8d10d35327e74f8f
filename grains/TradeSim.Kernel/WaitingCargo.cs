namespace TradeSim.Kernel;

/// <summary>
/// Truckloads a carrier has been handed and not yet sent a truck for, held in aggregate: per flow, a FIFO of age bins,
/// each a ready time and a count of loads. Memory depends on the carrier's flows, not on how much cargo waits: a flow
/// of ten billion tonnes a year adds one bin per quarter hour at most (see <see cref="ProvinceModel"/>), and a flow
/// holds at most <see cref="MaxBinsPerFlow"/>.
/// Idle trucks take the oldest load first across the carrier's flows, ties (loads ready at the same time) in the
/// order the provinces handed them over, so as long as no flow overflows its bins the order is exactly that of one
/// queue of individual truckloads.
/// </summary>
internal sealed class WaitingCargo
{
    /// <summary>
    /// Bins a flow keeps (16 KB). A flow whose cargo has waited longer than this many releases (over ten days of even
    /// release, at most one a quarter hour; 1,024 single truckloads with Poisson release) has its two oldest bins
    /// merged, at the older ready time: the oldest cargo's age is then known more coarsely, and its loads may be taken a
    /// little ahead of other flows' loads of nearly the same age.
    /// </summary>
    public const int MaxBinsPerFlow = 1024;

    private readonly Ring<AgeBin>[] _bins;
    private readonly int[] _flows;
    private readonly int[] _localIndex;
    private int _flowsWaiting;

    /// <param name="flows">Global indices of the carrier's flows, in the order their provinces hand cargo over.</param>
    /// <param name="handOverPosition">For every flow of the network, its position in its own carrier's <paramref name="flows"/> (one array shared by all carriers).</param>
    public WaitingCargo(int[] flows, int[] handOverPosition)
    {
        _flows = flows;
        _localIndex = handOverPosition;
        _bins = new Ring<AgeBin>[flows.Length];
        for (var i = 0; i < flows.Length; i++)
        {
            _bins[i] = new Ring<AgeBin>(4);
        }
    }

    public bool IsEmpty => _flowsWaiting == 0;

    /// <summary>Age bins held across the carrier's flows: what the waiting cargo costs in memory.</summary>
    public int BinCount
    {
        get
        {
            var count = 0;
            foreach (var bins in _bins)
            {
                count += bins.Count;
            }

            return count;
        }
    }

    /// <summary>Adds <paramref name="loads"/> truckloads of <paramref name="flow"/> ready at <paramref name="readyTime"/> (never earlier than cargo added before).</summary>
    public void Add(int flow, long loads, double readyTime)
    {
        var local = _localIndex[flow];
        ref var bins = ref _bins[local];
        if (bins.Count == 0)
        {
            _flowsWaiting++;
        }
        else if (bins.Tail.ReadyTime == readyTime)
        {
            bins.Tail.Loads += loads;
            return;
        }
        else if (bins.Count == MaxBinsPerFlow)
        {
            var oldest = bins.Dequeue();
            bins.Head.Loads += oldest.Loads;
            bins.Head.ReadyTime = oldest.ReadyTime;
        }

        bins.Enqueue(new AgeBin(readyTime, loads));
    }

    /// <summary>Takes one load: the oldest waiting, the earliest-handed flow among equals. Call only when not <see cref="IsEmpty"/>.</summary>
    public (int Flow, double ReadyTime) TakeOldest() => Take(Oldest(default(AnyFlow)));

    /// <summary>
    /// The flow (local index) whose oldest load is the oldest among the flows <paramref name="filter"/> admits, the
    /// earliest-handed among equals; -1 when none of them has a load waiting. A struct filter keeps the call
    /// allocation-free.
    /// </summary>
    public int Oldest<TFilter>(in TFilter filter)
        where TFilter : struct, IFlowFilter
    {
        var best = -1;
        var bestTime = double.PositiveInfinity;
        for (var i = 0; i < _bins.Length; i++)
        {
            // Strictly earlier wins, so among equal ready times the first flow in hand-over order is taken.
            if (_bins[i].Count > 0 && _bins[i].Head.ReadyTime < bestTime && filter.Admits(_flows[i]))
            {
                best = i;
                bestTime = _bins[i].Head.ReadyTime;
            }
        }

        return best;
    }

    /// <summary>When the oldest load of a flow (a local index that <c>Oldest</c> gave) was ready.</summary>
    public double ReadyTimeOf(int local) => _bins[local].Head.ReadyTime;

    /// <summary>Takes the oldest load of a flow (a local index that <c>Oldest</c> gave): its global index and ready time.</summary>
    public (int Flow, double ReadyTime) Take(int local)
    {
        ref var bins = ref _bins[local];
        var readyTime = bins.Head.ReadyTime;
        if (--bins.Head.Loads == 0)
        {
            bins.Dequeue();
            if (bins.Count == 0)
            {
                _flowsWaiting--;
            }
        }

        return (_flows[local], readyTime);
    }

    /// <summary>
    /// Adds, per flow (global index), the loads still waiting and their load-hours of waiting at <paramref name="now"/>
    /// (age from their ready time): what the carrier's trucks have not come for yet.
    /// </summary>
    public void AddBacklog(double now, long[] loadsByFlow, double[] loadHoursByFlow)
    {
        for (var i = 0; i < _bins.Length; i++)
        {
            ref var bins = ref _bins[i];
            for (var b = 0; b < bins.Count; b++)
            {
                ref readonly var bin = ref bins[b];
                loadsByFlow[_flows[i]] += bin.Loads;
                loadHoursByFlow[_flows[i]] += bin.Loads * Math.Max(0, now - bin.ReadyTime);
            }
        }
    }

    /// <summary>Loads of cargo ready at one time, waiting for trucks.</summary>
    private struct AgeBin(double readyTime, long loads)
    {
        public double ReadyTime = readyTime;
        public long Loads = loads;
    }
}

/// <summary>Which flows' loads a truck may take (global flow indices).</summary>
internal interface IFlowFilter
{
    bool Admits(int flow);
}

/// <summary>Every flow.</summary>
internal readonly struct AnyFlow : IFlowFilter
{
    public bool Admits(int flow) => true;
}
