using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradeSim.Silo.Results;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Silo.Cluster;

/// <summary>How a cluster silo runs: its name, worker threads and lease length.</summary>
public sealed record ClusterSiloOptions(string Name, int Workers, TimeSpan LeaseDuration)
{
    /// <summary>Heartbeats (which also renew leases) come three times per lease, so one missed beat loses nothing.</summary>
    public TimeSpan HeartbeatInterval => LeaseDuration / 3;

    /// <summary>How often an idle silo looks for work.</summary>
    public static TimeSpan PollInterval => TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// A member of the cluster: joins with a fresh identity, heartbeats and renews its leases on its own thread, keeps up
/// to <see cref="ClusterSiloOptions.Workers"/> runs executing, and writes each result fenced by its lease. On stop
/// (SIGTERM) it abandons the runs in progress and releases their leases at once, so other silos take them without
/// waiting for expiry. A lost database connection is retried with backoff; runs in progress carry on meanwhile.
/// </summary>
public sealed class ClusterSiloService(ClusterDatabase database, ClusterSiloOptions options, ILogger<ClusterSiloService> logger) : BackgroundService
{
    /// <summary>Fault injection for the reliability tests: a silo that leases a run of this scenario dies at once.</summary>
    public const string CrashScenarioVariable = "TRADESIM_FAULT_CRASH_ON_SCENARIO";

    private readonly EmbeddedSilo _silo = new();
    private readonly ClusterMember _member = new(Guid.NewGuid(), options.LeaseDuration);
    private readonly SemaphoreSlim _finished = new(0);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RunLease, byte> _executing = new();
    private int _running;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Serve(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public override void Dispose()
    {
        _finished.Dispose();
        base.Dispose();
    }

    private void Serve(CancellationToken stopping)
    {
        database.WithRetry(c => _member.Join(c, options.Name, options.Workers), stopping, Retrying);
        logger.LogInformation("silo {Name} ({Id}) joined the cluster at {Database} with {Workers} workers", options.Name, _member.SiloId, database.Display, options.Workers);
        using var runs = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = new Thread(() => Heartbeat(stopping)) { IsBackground = true, Name = "tradesim-heartbeat" };
        heartbeat.Start();
        var workers = new List<Thread>();
        var crashOn = Environment.GetEnvironmentVariable(CrashScenarioVariable);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var free = options.Workers - Volatile.Read(ref _running);
                var leases = free > 0 ? database.WithRetry(c => _member.Lease(c, free), stopping, Retrying) : [];
                foreach (var lease in leases)
                {
                    if (crashOn is not null && lease.ScenarioName == crashOn)
                    {
                        Environment.FailFast($"fault injection: {CrashScenarioVariable}={crashOn}");
                    }

                    TradeSimTelemetry.LeaseTaken(lease.ScenarioName);
                    Interlocked.Increment(ref _running);
                    _executing[lease] = 0;
                    var worker = new Thread(() => Execute(lease, runs.Token)) { IsBackground = true, Name = $"tradesim-run-{lease.BatchId}-{lease.Position}-{lease.Replication}" };
                    workers.Add(worker);
                    worker.Start();
                }

                workers.RemoveAll(w => !w.IsAlive);
                if (leases.Count == 0 || Volatile.Read(ref _running) >= options.Workers)
                {
                    _finished.Wait(ClusterSiloOptions.PollInterval, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        // Stopping: abandon the runs in progress, then hand their leases back at once.
        runs.Cancel();
        foreach (var worker in workers)
        {
            worker.Join();
        }

        using var release = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var released = database.WithRetry(_member.ReleaseAll, release.Token, Retrying);
            logger.LogInformation("silo {Name} stopping: released {Released} leases", options.Name, released);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("silo {Name} stopping: the database was unreachable for 10 s; its leases will expire instead", options.Name);
        }
    }

    private void Execute(RunLease lease, CancellationToken cancellation)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            string? error = null;
            Grains.Kernel.RunResult? result = null;
            var onSilo = false;
            try
            {
                var layers = _member.CachedLayers(lease.ScenarioHash) ?? database.WithRetry(c => _member.Layers(c, lease.ScenarioHash), cancellation, Retrying);
                onSilo = true; // from here the embedded silo counts its own failures
                result = _silo.Run(layers, lease.Seed, lease.Replication, cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A run that throws is a poison candidate: report it, and the database decides retry or failure.
                error = $"{e.GetType().Name}: {e.Message}";
                if (!onSilo)
                {
                    TradeSimTelemetry.RunFailed(lease.ScenarioName);
                }
            }

            if (cancellation.IsCancellationRequested)
            {
                return;
            }

            if (error is not null)
            {
                database.WithRetry(c => _member.Fail(c, lease, error), cancellation, Retrying);
                logger.LogWarning("run {Batch}/{Scenario}/{Replication} attempt {Attempt} failed: {Error}", lease.BatchId, lease.ScenarioName, lease.Replication, lease.Attempt, error);
                return;
            }

            var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var accepted = database.WithRetry(c => _member.Complete(c, lease, RunKpis.Extract(result!), RunKpis.DailyQueues(result!), result!.Conservation.Balances, wall), cancellation, Retrying);
            if (!accepted)
            {
                TradeSimTelemetry.ResultRefused(lease.ScenarioName);
                logger.LogWarning("run {Batch}/{Scenario}/{Replication} attempt {Attempt}: result refused, the lease expired or was taken over", lease.BatchId, lease.ScenarioName, lease.Replication, lease.Attempt);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        finally
        {
            _executing.TryRemove(lease, out _);
            Interlocked.Decrement(ref _running);
            _finished.Release();
        }
    }

    private void Heartbeat(CancellationToken stopping)
    {
        while (!stopping.WaitHandle.WaitOne(options.HeartbeatInterval))
        {
            try
            {
                database.WithRetry(c => _member.Heartbeat(c, _executing.Keys.ToList()), stopping, Retrying);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Retrying(Exception e, TimeSpan delay) =>
        logger.LogWarning("cluster database unreachable ({Reason}); retrying in {Delay} ms", ClusterDatabase.Describe(e), (int)delay.TotalMilliseconds);
}
