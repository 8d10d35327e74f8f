using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// The default silo: an Orleans silo inside the `tradesim` process, with localhost clustering (a cluster of one, no
/// server, no gateway) and the SQLite result store, running the very same grains a cluster runs. Each process gets
/// its own cluster id and a free loopback port for the silo's listener, so several `tradesim` processes (or tests)
/// run side by side.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedSilo(IHost host, TimeSpan startup)
    {
        _host = host;
        StartupTime = startup;
    }

    /// <summary>What the CLI talks to: the in-process silo's grain factory (no network involved).</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Wall-clock time from building the host to the silo being active.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>Starts a silo in this process; it runs runs and stores their results in <paramref name="store"/>.</summary>
    /// <param name="store">The result store the grains write to (the CLI's SQLite file).</param>
    /// <param name="workers">Runs executed at once.</param>
    /// <param name="log">Where the silo's warnings and errors go (the CLI's stderr); of Orleans' own, errors only.</param>
    /// <param name="cancellation">Stops a start in progress.</param>
    /// <param name="runner">
    /// The runner the silo's run grains use; the CLI passes its own, so a scenario it compiled to check the batch is not
    /// compiled again. A new one when null.
    /// </param>
    public static async Task<EmbeddedSilo> StartAsync(IResultStore store, int workers, TextWriter log, CancellationToken cancellation, ReplicationRunner? runner = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(log);
        var started = Stopwatch.GetTimestamp();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CollapsingLoggerProvider(new TextWriterLoggerProvider(log), TimeSpan.FromSeconds(30)));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", LogLevel.Error);
        var clusterId = string.Create(CultureInfo.InvariantCulture, $"tradesim-embedded-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var siloPort = SiloPorts.FreeLoopbackPort();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort: 0, primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, siloPort), serviceId: TradeSimSiloBuilder.ServiceId, clusterId: clusterId);
            silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = "embedded");
            if (runner is not null)
            {
                silo.Services.AddSingleton(runner);
            }

            silo.AddTradeSim(store, runs =>
            {
                runs.Workers = workers;
                runs.AdoptRunningBatches = false;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new EmbeddedSilo(host, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Stops the silo: runs in progress are given back to their batch, then the silo shuts down.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
