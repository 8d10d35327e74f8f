using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TradeSim.Grains.Runs;

namespace TradeSim.Grains.Hosting;

/// <summary>Adds TradeSim's run execution to an Orleans silo.</summary>
public static class RunHostingExtensions
{
    /// <summary>
    /// Registers the run workers, the replication runner and the claimer that keeps the workers busy. The silo must
    /// also register an <see cref="Storage.IResultStore"/> (silo/TradeSim.Silo has the SQLite and PostgreSQL ones).
    /// </summary>
    public static ISiloBuilder AddTradeSimRuns(this ISiloBuilder silo, Action<RunOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configure);
        silo.Services.AddOptions<RunOptions>()
            .Configure(configure)
            .Validate(o => o.Validate() is null, "invalid run options");
        silo.Services.AddSingleton<RunWorkerPool>();

        // A host may bring its own runner (the CLI shares the scenarios it compiled to check them).
        silo.Services.TryAddSingleton<ReplicationRunner>();
        silo.Services.AddSingleton<RunClaimer>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RunClaimer>());
        return silo;
    }
}
