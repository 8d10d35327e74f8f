using System.Collections.Concurrent;
using System.Threading.Channels;
using TradeSim.Grains.Abstractions;
using Microsoft.Extensions.Options;

namespace TradeSim.Grains.Runs;

/// <summary>How a silo executes runs: its number of run workers, and what it does besides.</summary>
public sealed class RunOptions
{
    /// <summary>Runs executed at once on this silo (`--workers`); each has a dedicated thread.</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Runs a silo claims beyond its workers, queued so that a worker that finishes a run starts the next at once
    /// instead of waiting for the claim (about 1 ms of grain calls and a store write). Executing runs stay bounded by
    /// <see cref="Workers"/>; a queued run of a silo that dies is dispatched again like an executing one.
    /// </summary>
    public int QueueAhead { get; set; } = 1;

    /// <summary>
    /// Whether the board of running batches is rebuilt from the result store when it activates (a cluster: batches go
    /// on after any silo dies). The embedded silo runs only the batches its own process starts.
    /// </summary>
    public bool AdoptRunningBatches { get; set; }

    /// <summary>How often a silo with free workers asks for work when there was none.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Fault injection for the reliability tests: a silo that starts a run of this scenario dies at once.</summary>
    public string? CrashOnScenario { get; set; }

    /// <summary>The environment variable the silo reads <see cref="CrashOnScenario"/> from.</summary>
    public const string CrashOnScenarioVariable = "TRADESIM_FAULT_CRASH_ON_SCENARIO";

    /// <summary>Says exactly what is wrong, or null.</summary>
    public string? Validate() =>
        Workers is < 1 or > 1024 ? $"workers must be from 1 to 1024, not {Workers}"
        : QueueAhead is < 0 or > 1024 ? $"runs queued ahead must be from 0 to 1024, not {QueueAhead}"
        : IdlePollInterval <= TimeSpan.Zero ? "the idle poll interval must be positive"
        : null;
}

/// <summary>
/// A silo's run workers: <see cref="RunOptions.Workers"/> dedicated threads that execute runs, so CPU-bound runs never
/// occupy Orleans' scheduler, and a silo never executes more runs at once than it has workers. Work is queued by run
/// grains; the silo's <see cref="RunClaimer"/> asks batches for as many runs as there are free workers.
/// </summary>
public sealed class RunWorkerPool : IDisposable
{
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread[] _threads;
    private readonly Lock _gate = new();
    private TaskCompletionSource _slotFreed = NewSignal();
    private readonly int _capacity;
    private int _reserved;
    private int _alone;
    private int _tracked;
    private TaskCompletionSource _trackedDone = NewSignal();
    private readonly ConcurrentDictionary<RunKey, RunInFlight> _inFlight = new();

    public RunWorkerPool(IOptions<RunOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Workers = options.Value.Workers;
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1);
        _capacity = Workers + Math.Max(0, options.Value.QueueAhead);
        _threads = new Thread[Workers];
        for (var w = 0; w < Workers; w++)
        {
            _threads[w] = new Thread(Work) { IsBackground = true, Name = $"tradesim-run-worker-{w}" };
            _threads[w].Start();
        }
    }

    public int Workers { get; }

    /// <summary>
    /// Runs this silo can take now: its workers and the runs it queues ahead, less those it holds; none while it holds a
    /// run that executes alone.
    /// </summary>
    public int Free => Volatile.Read(ref _alone) > 0 ? 0 : _capacity - Volatile.Read(ref _reserved);

    /// <summary>Runs executing, queued, or waiting to be stored.</summary>
    public int Busy => Volatile.Read(ref _reserved);

    /// <summary>Cancelled when the silo stops: runs in progress stop at their next check and are given back.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Takes a slot and queues <paramref name="work"/> for a worker. The task completes on the worker thread with the
    /// work's value (the worker then takes the next queued work); it is cancelled when the pool stops before the work
    /// started. The slot stays taken until the caller gives it back with <see cref="ReleaseSlot"/>, exactly once, when
    /// it has finished with the run (stored its result and reported it): so results waiting to be stored hold slots,
    /// and a silo whose store is slow claims fewer runs rather than piling results up in memory. While work queued
    /// <paramref name="alone"/> holds its slot, the silo takes no other run.
    /// </summary>
    public Task<T> Enqueue<T>(Func<CancellationToken, T> work, bool alone = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        var item = new WorkItem<T>(work);
        Interlocked.Increment(ref _reserved);
        if (alone)
        {
            Interlocked.Increment(ref _alone);
        }

        if (_stopping.IsCancellationRequested || !_queue.Writer.TryWrite(item))
        {
            item.Cancel();
        }

        return item.Completion;
    }

    /// <summary>
    /// Records that <paramref name="key"/> executes on this silo from now until <see cref="Forget"/> (its outcome is
    /// known). The record
    /// outlives the run grain's activation: Orleans may deactivate it mid-run (when the silo holding its directory
    /// entry leaves), and the next activation on this silo finds the run here instead of executing it again.
    /// </summary>
    public RunInFlight Remember(RunKey key, int attempt)
    {
        var run = new RunInFlight(attempt);
        _inFlight[key] = run;
        return run;
    }

    /// <summary>The run of <paramref name="key"/> executing (or queued, or being stored) on this silo, if any.</summary>
    public RunInFlight? InFlight(RunKey key) => _inFlight.TryGetValue(key, out var run) ? run : null;

    /// <summary>The run's outcome is known (stored, released or failed): it no longer executes here.</summary>
    public void Forget(RunKey key, RunInFlight run) => _inFlight.TryRemove(KeyValuePair.Create(key, run));

    /// <summary>Gives back the slot of a run queued with <see cref="Enqueue{T}"/>: this silo may claim another run.</summary>
    public void ReleaseSlot(bool alone = false)
    {
        if (alone)
        {
            Interlocked.Decrement(ref _alone);
        }

        Interlocked.Decrement(ref _reserved);
        Signal();
    }

    /// <summary>
    /// A task that completes the next time a worker frees up. Take it before looking at <see cref="Free"/>, so a worker
    /// freed in between is not missed.
    /// </summary>
    public Task NextFreedWorker()
    {
        lock (_gate)
        {
            return _slotFreed.Task;
        }
    }

    /// <summary>
    /// Tracks work that follows a run (a run grain reporting its outcome), so a stopping silo can wait until every run
    /// it gave back has been reported to its batch.
    /// </summary>
    public void Track(Task followUp)
    {
        ArgumentNullException.ThrowIfNull(followUp);
        lock (_gate)
        {
            if (_tracked++ == 0)
            {
                _trackedDone = NewSignal();
            }
        }

        followUp.ContinueWith(
            static (_, state) => ((RunWorkerPool)state!).Untrack(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Stops the workers: runs in progress are cancelled, queued runs are never started.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
    }

    /// <summary>Completes when every tracked follow-up has finished (or at once when there is none).</summary>
    public Task WhenReported()
    {
        lock (_gate)
        {
            return _tracked == 0 ? Task.CompletedTask : _trackedDone.Task;
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Untrack()
    {
        lock (_gate)
        {
            if (--_tracked == 0)
            {
                _trackedDone.TrySetResult();
            }
        }
    }

    private void Work()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item))
            {
                if (_stopping.IsCancellationRequested)
                {
                    item.Cancel();
                }
                else
                {
                    item.Execute(_stopping.Token);
                }
            }
        }
    }

    /// <summary>
    /// Wakes this silo's claimer as if a worker had freed up: a batch here has new runs (it started, or planned a
    /// precision round), so local workers need not wait for the next poll.
    /// </summary>
    public void AnnounceWork() => Signal();

    private void Signal()
    {
        TaskCompletionSource freed;
        lock (_gate)
        {
            freed = _slotFreed;
            _slotFreed = NewSignal();
        }

        freed.TrySetResult();
    }

    private abstract class WorkItem
    {
        public abstract void Execute(CancellationToken cancellation);

        public abstract void Cancel();
    }

    private sealed class WorkItem<T>(Func<CancellationToken, T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Completion => _completion.Task;

        public override void Execute(CancellationToken cancellation)
        {
            try
            {
                _completion.TrySetResult(work(cancellation));
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                _completion.TrySetCanceled(cancellation);
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public override void Cancel() => _completion.TrySetCanceled();
    }
}

/// <summary>
/// A run executing on this silo, as its run grains share it: the dispatch number its outcome is reported under, which
/// a newer dispatch of the same run adopts (the batch then hears the newer number).
/// </summary>
public sealed class RunInFlight(int attempt)
{
    private int _attempt = attempt;

    public int Attempt => Volatile.Read(ref _attempt);

    /// <summary>Takes <paramref name="attempt"/> if it is newer.</summary>
    public void Adopt(int attempt)
    {
        int current;
        do
        {
            current = Volatile.Read(ref _attempt);
        }
        while (attempt > current && Interlocked.CompareExchange(ref _attempt, attempt, current) != current);
    }
}
