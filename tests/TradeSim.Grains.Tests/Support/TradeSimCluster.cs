using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Hosting;

namespace TradeSim.Grains.Tests.Support;

/// <summary>
/// A real Orleans cluster in this process (<see cref="InProcessTestCluster"/>: in-memory transport and membership),
/// whose silos are TradeSim silos as `tradesim-silo` builds them (<see cref="TradeSimSiloBuilder.AddTradeSim"/> with
/// the cluster's membership tuning), all writing to one result store.
/// </summary>
internal sealed class TradeSimCluster : IAsyncDisposable
{
    private TradeSimCluster(InProcessTestCluster cluster, LogCapture log)
    {
        Cluster = cluster;
        Log = log;
    }

    public InProcessTestCluster Cluster { get; }

    public LogCapture Log { get; }

    public IClusterClient Client => Cluster.Client;

    /// <param name="queueAhead">
    /// Runs a silo claims beyond its workers. 0 (not the default 1) by default here: the tests that pin runs on a silo
    /// count exactly what each silo holds.
    /// </param>
    public static async Task<TradeSimCluster> StartAsync(IResultStore store, short silos, int workers, bool adoptRunningBatches, int queueAhead = 0)
    {
        var log = new LogCapture();
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(log));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Configure<ClusterMembershipOptions>(TradeSimSiloBuilder.TuneMembership);
            silo.AddTradeSim(store, runs =>
            {
                runs.Workers = workers;
                runs.QueueAhead = queueAhead;
                runs.AdoptRunningBatches = adoptRunningBatches;
            });
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new TradeSimCluster(cluster, log);
    }

    public IBatchGrain Batch(long id) => Client.GetGrain<IBatchGrain>(id);

    public IRunGrain Run(RunKey key) => Client.GetGrain<IRunGrain>(key.GrainKey);

    /// <summary>The run workers of a silo (the first when none is named).</summary>
    public RunWorkerPool Workers(InProcessSiloHandle? silo = null) => (silo ?? Cluster.Silos[0]).ServiceProvider.GetRequiredService<RunWorkerPool>();

    /// <summary>The silo where a grain is active now, or null.</summary>
    public InProcessSiloHandle? SiloOf(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context)
            ? Cluster.Silos.FirstOrDefault(s => s.SiloAddress.Equals(context.Address.SiloAddress))
            : null;

    /// <summary>
    /// Polls the batch's progress until <paramref name="until"/> holds; fails with the last progress and the silos'
    /// log when it does not within <paramref name="timeout"/>.
    /// </summary>
    public async Task<BatchProgress> WaitForAsync(long batch, Func<BatchProgress, bool> until, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = Stopwatch.GetTimestamp();
        BatchProgress? last = null;
        Exception? error = null;
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            try
            {
                last = await Batch(batch).Progress();
                error = null;
                if (until(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // A silo just died: the batch comes back on another.
                error = e;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"batch {batch}: not {what} within {limit.TotalSeconds} s; last progress: {Describe(last)}{(error is null ? string.Empty : $"; last error: {error.Message}")}{Environment.NewLine}silo log:{Environment.NewLine}{Log.Tail()}");
        return last!;
    }

    public static string Describe(BatchProgress? p) => p is null
        ? "(none)"
        : $"{p.Status}, {p.Done} done, {p.Failed} failed, {p.Executing} executing, {p.Waiting} waiting of {p.PlannedRuns} ({p.Scenarios} x {p.PlannedReplications}); silos: {string.Join(", ", p.Silos.Select(s => $"{s.SiloName} {s.Executing}/{s.Done}"))}";

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
