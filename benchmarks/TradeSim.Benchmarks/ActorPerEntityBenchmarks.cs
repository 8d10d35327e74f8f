using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using TradeSim.Kernel.Randomness;

namespace TradeSim.Benchmarks;

/// <summary>
/// The truck and gate logic written in the per-call actor style an Orleans-style design pays: one grain per truck
/// and per gate, each with its own <see cref="Channel{T}"/> mailbox drained by an async loop on the thread pool, and an
/// allocated message per event (a tick per truck per step, an arrival per truck reaching a gate, a release per truck
/// served, a tick per gate per step). A step has two phases, each run to quiescence (no message in flight): trucks
/// (ticked) post arrivals to their gates; then gates (ticked) serve their arrivals FIFO with c lanes and exponential
/// service in continuous time over the step and post releases back to the trucks, which pick their next gate and leg.
/// The world is comparable to the kernel's: the trucks spread over 100 gates, legs of 1 h + an exponential 3 h,
/// service of 10 min, lanes sized for about 80% utilisation. The Mean is per truck-step (one truck, one hour-long step).
/// </summary>
[MemoryDiagnoser]
public class ActorPerEntityBenchmarks
{
    private const int Gates = 100;
    private const double StepHours = 1.0;
    private const int TruckStepsPerInvoke = 100_000;

    private ActorRuntime _runtime = null!;
    private TruckActor[] _trucks = null!;
    private GateActor[] _gates = null!;
    private int _step;

    [Params(10_000, 100_000)]
    public int Trucks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (TruckStepsPerInvoke % Trucks != 0)
        {
            throw new InvalidOperationException($"{Trucks} trucks do not divide {TruckStepsPerInvoke} truck-steps per invoke");
        }

        _runtime = new ActorRuntime();
        const double meanLeg = TruckActor.MinLegHours + TruckActor.ExtraLegMeanHours;
        var lanes = (int)Math.Ceiling(Trucks / (double)Gates / meanLeg * GateActor.ServiceMeanHours / 0.8);
        _gates = [.. Enumerable.Range(0, Gates).Select(g => new GateActor(_runtime, g, lanes, 1))];
        _trucks = [.. Enumerable.Range(0, Trucks).Select(t => new TruckActor(_runtime, t, _gates, 1))];
        foreach (var gate in _gates)
        {
            gate.Trucks = _trucks;
        }

        // Correctness: two simulated days, then trucks must have crossed and none may be lost or duplicated.
        for (var i = 0; i < 48; i++)
        {
            Step();
        }

        var releases = _gates.Sum(g => g.Releases);
        var travelling = _trucks.Count(t => t.Travelling);
        var atGates = _trucks.Length - travelling;
        var inGates = _gates.Sum(g => g.Queued + g.InService + g.Pending);
        if (releases == 0 || travelling + inGates != Trucks || atGates != inGates || _gates.Any(g => g.Pending != 0))
        {
            throw new InvalidOperationException($"the actor world is wrong: {releases} releases, {travelling} travelling + {inGates} at gates (trucks say {atGates}) of {Trucks}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Shutdown([.. _trucks, .. _gates]);

    /// <summary>
    /// <see cref="TruckStepsPerInvoke"/> truck-steps: 10 steps of 10,000 trucks or 1 step of 100,000 (Mean is per
    /// truck-step; OperationsPerInvoke must be a constant, so the steps per invoke follow the truck count).
    /// </summary>
    [Benchmark(OperationsPerInvoke = TruckStepsPerInvoke)]
    public void TruckSteps()
    {
        for (var i = TruckStepsPerInvoke / Trucks; i > 0; i--)
        {
            Step();
        }
    }

    private void Step()
    {
        var t0 = _step * StepHours;
        var t1 = t0 + StepHours;
        _step++;
        _runtime.RunPhase(_trucks, t0, t1);
        _runtime.RunPhase(_gates, t0, t1);
    }

    /// <summary>A message; every one is a fresh heap object, as a remote call's message is.</summary>
    internal abstract record ActorMessage;

    internal sealed record TickMessage(double T0, double T1) : ActorMessage;

    internal sealed record ArriveMessage(int Truck, double Time) : ActorMessage;

    internal sealed record ReleasedMessage(int Gate, double Time) : ActorMessage;

    /// <summary>Counts the messages in flight; a phase ends when the count returns to zero.</summary>
    internal sealed class ActorRuntime
    {
        private readonly ManualResetEventSlim _quiet = new(false);
        private long _inFlight;
        private Exception? _failure;

        public void Sent() => Interlocked.Increment(ref _inFlight);

        public void Handled()
        {
            if (Interlocked.Decrement(ref _inFlight) == 0)
            {
                _quiet.Set();
            }
        }

        public void Fail(Exception e) => Interlocked.CompareExchange(ref _failure, e, null);

        /// <summary>Ticks every actor and waits until no message is left in flight.</summary>
        public void RunPhase(Actor[] actors, double t0, double t1)
        {
            _quiet.Reset();
            Sent(); // holds the phase open while the ticks go out
            foreach (var actor in actors)
            {
                actor.Post(new TickMessage(t0, t1));
            }

            Handled();
            _quiet.Wait();
            if (_failure is not null)
            {
                throw new InvalidOperationException("an actor failed", _failure);
            }
        }

        public void Shutdown(Actor[] actors)
        {
            foreach (var actor in actors)
            {
                actor.Complete();
            }

            Task.WaitAll([.. actors.Select(a => a.Loop)]);
        }
    }

    /// <summary>A grain: a mailbox and an async loop that handles one message at a time.</summary>
    internal abstract class Actor
    {
        private readonly Channel<ActorMessage> _mailbox = Channel.CreateUnbounded<ActorMessage>(new UnboundedChannelOptions { SingleReader = true });
        private readonly ActorRuntime _runtime;

        protected Actor(ActorRuntime runtime)
        {
            _runtime = runtime;
            Loop = Task.Run(DrainAsync);
        }

        public Task Loop { get; }

        public void Post(ActorMessage message)
        {
            _runtime.Sent();
            if (!_mailbox.Writer.TryWrite(message))
            {
                _runtime.Handled();
                throw new InvalidOperationException("the mailbox is closed");
            }
        }

        public void Complete() => _mailbox.Writer.TryComplete();

        protected abstract void Handle(ActorMessage message);

        private async Task DrainAsync()
        {
            var reader = _mailbox.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        Handle(message);
                    }
                    catch (Exception e)
                    {
                        _runtime.Fail(e);
                    }
                    finally
                    {
                        _runtime.Handled();
                    }
                }
            }
        }
    }

    /// <summary>A truck: travels a leg to a gate, arrives, waits to be released, picks its next gate.</summary>
    internal sealed class TruckActor : Actor
    {
        public const double MinLegHours = 1.0;
        public const double ExtraLegMeanHours = 3.0;

        private readonly int _id;
        private readonly GateActor[] _gates;
        private readonly RandomStream _random;
        private int _gate;
        private double _arrival;

        public TruckActor(ActorRuntime runtime, int id, GateActor[] gates, ulong seed)
            : base(runtime)
        {
            _id = id;
            _gates = gates;
            _random = RandomStream.For(seed, 0, "actor-truck-" + id, "legs");
            _gate = (int)(_random.NextUInt64() % (ulong)gates.Length);
            _arrival = _random.NextDouble() * (MinLegHours + ExtraLegMeanHours);
            Travelling = true;
        }

        public bool Travelling { get; private set; }

        protected override void Handle(ActorMessage message)
        {
            switch (message)
            {
                case TickMessage tick when Travelling && _arrival < tick.T1:
                    Travelling = false;
                    _gates[_gate].Post(new ArriveMessage(_id, _arrival));
                    break;
                case TickMessage:
                    break;
                case ReleasedMessage released:
                    _gate = (int)(_random.NextUInt64() % (ulong)_gates.Length);
                    _arrival = released.Time + MinLegHours + _random.Exponential(ExtraLegMeanHours);
                    Travelling = true;
                    break;
                default:
                    throw new InvalidOperationException($"a truck cannot handle {message}");
            }
        }
    }

    /// <summary>A gate: collects the step's arrivals, then serves them FIFO with c lanes in continuous time.</summary>
    internal sealed class GateActor : Actor
    {
        public const double ServiceMeanHours = 10.0 / 60.0;

        private readonly int _id;
        private readonly int _lanes;
        private readonly RandomStream _random;
        private readonly List<ArriveMessage> _arrivals = [];
        private readonly Queue<int> _queue = new();
        private readonly PriorityQueue<int, double> _inService = new();

        public GateActor(ActorRuntime runtime, int id, int lanes, ulong seed)
            : base(runtime)
        {
            _id = id;
            _lanes = lanes;
            _random = RandomStream.For(seed, 0, "actor-gate-" + id, "service");
        }

        public TruckActor[] Trucks { get; set; } = [];

        public long Releases { get; private set; }

        public int Pending => _arrivals.Count;

        public int Queued => _queue.Count;

        public int InService => _inService.Count;

        protected override void Handle(ActorMessage message)
        {
            switch (message)
            {
                case ArriveMessage arrive:
                    _arrivals.Add(arrive);
                    break;
                case TickMessage tick:
                    Serve(tick.T0, tick.T1);
                    break;
                default:
                    throw new InvalidOperationException($"a gate cannot handle {message}");
            }
        }

        private void Serve(double t0, double t1)
        {
            // Messages arrive in any order; serve them in time order (then truck id) so every run is the same.
            _arrivals.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Truck.CompareTo(b.Truck));
            var next = 0;
            while (true)
            {
                var arrival = next < _arrivals.Count ? Math.Max(_arrivals[next].Time, t0) : double.PositiveInfinity;
                var completion = _inService.TryPeek(out _, out var done) ? done : double.PositiveInfinity;
                if (Math.Min(arrival, completion) >= t1)
                {
                    break;
                }

                if (completion <= arrival)
                {
                    var truck = _inService.Dequeue();
                    Releases++;
                    Trucks[truck].Post(new ReleasedMessage(_id, completion));
                    if (_queue.TryDequeue(out var waiting))
                    {
                        _inService.Enqueue(waiting, completion + _random.Exponential(ServiceMeanHours));
                    }
                }
                else
                {
                    var truck = _arrivals[next++].Truck;
                    if (_inService.Count < _lanes)
                    {
                        _inService.Enqueue(truck, arrival + _random.Exponential(ServiceMeanHours));
                    }
                    else
                    {
                        _queue.Enqueue(truck);
                    }
                }
            }

            // Arrivals all fall inside the step (legs are at least an hour), so none is left over.
            _arrivals.RemoveRange(0, next);
        }
    }
}
