using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using TradeSim.Grains.Hosting;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Silo.Hosting;

/// <summary>What every TradeSim silo has, embedded or in a cluster: the result store, the run workers and the grains.</summary>
public static class TradeSimSiloBuilder
{
    /// <summary>Orleans' service id of every TradeSim cluster (grain identities and storage are scoped by it).</summary>
    public const string ServiceId = "tradesim";

    /// <summary>How often a cluster silo writes its I-am-alive time to the membership table.</summary>
    public static readonly TimeSpan IAmAlivePeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The membership settings of a cluster, measured here with 2 and 3 silos on one host. A silo probes its peers
    /// (2 s probe timeout, 1 s apart); 3 missed probes make it vote a peer dead, and 2 votes declare it dead (Orleans
    /// asks for at most half the live silos, so 2 silos need 1). A killed silo was declared dead in 2.2-2.7 s. A frozen
    /// one (SIGSTOP: its connections stay open) in 9.2 s: Orleans holds back votes while a connection recently carried
    /// messages, for MaxProbeTimeout x 3, so MaxProbeTimeout is 3 s (with Orleans' defaults that took 63 s); a 1 s probe
    /// risked declaring a loaded healthy silo dead. Silos write their I-am-alive time every 5 s and read the table
    /// every 5 s, so `cluster status` can tell a silo that stopped answering even when no peer is left to declare it.
    /// </summary>
    public static void TuneMembership(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.MaxProbeTimeout = TimeSpan.FromSeconds(3);
        options.NumMissedProbesLimit = 3;
        options.NumVotesForDeathDeclaration = 2;
        options.NumProbedSilos = 3;
        options.IAmAliveTablePublishTimeout = IAmAlivePeriod;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// Grain locations a silo caches. Every run is a grain of its own, so Orleans' default (a million entries, some
    /// 300 bytes each) let a long batch grow the silo by 300 bytes a run; ten thousand covers the runs in flight on
    /// any cluster many times over, and a location missed costs one directory lookup.
    /// </summary>
    public const int DirectoryCacheSize = 10_000;

    /// <summary>The store every grain of this silo writes to, and the run workers with their options.</summary>
    public static ISiloBuilder AddTradeSim(this ISiloBuilder silo, IResultStore store, Action<RunOptions> runs)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(store);
        silo.Services.AddSingleton(store);
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = DirectoryCacheSize);
        silo.AddTradeSimRuns(runs);
        return silo;
    }
}
