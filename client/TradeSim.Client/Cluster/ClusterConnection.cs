using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Hosting;

namespace TradeSim.Client.Cluster;

/// <summary>
/// `tradesim` as an Orleans client of a cluster: the gateways are the living silos listed in the cluster's membership
/// table (ADO.NET clustering on its PostgreSQL). While no silo is alive the client keeps trying, saying so after a
/// while with the command that starts one; Ctrl-C stops it.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan NoSiloWarningAfter = TimeSpan.FromSeconds(10);

    private readonly IHost _host;

    private ClusterConnection(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <param name="database">The cluster's database (its connection string reaches Orleans, never the output).</param>
    /// <param name="note">Where messages go (the progress display's notes).</param>
    /// <param name="log">Where the client's own errors go (stderr).</param>
    /// <param name="cancellation">Stops waiting for a silo.</param>
    public static async Task<ClusterConnection?> ConnectAsync(ClusterDatabase database, Action<string> note, TextWriter log, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(note);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();

        // Gateway failures while silos come and go are expected here; the client reports what matters itself.
        builder.Logging.AddProvider(new CollapsingLoggerProvider(new TextWriterLoggerProvider(log), TimeSpan.FromSeconds(30)));
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Orleans", LogLevel.Critical);
        var waitingSince = Stopwatch.GetTimestamp();
        var warned = false;
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = database.ConnectionString;
            });
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterSiloProgram.ClusterId;
                o.ServiceId = TradeSimSiloBuilder.ServiceId;
            });
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (!warned && Stopwatch.GetElapsedTime(waitingSince) > NoSiloWarningAfter)
                {
                    note($"no living silo in the cluster: start one with `tradesim-silo --cluster \"{database.Display}\"` (or scripts/cluster.sh start)");
                    warned = true;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                return !token.IsCancellationRequested;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellation);
            return new ClusterConnection(host);
        }
        catch (Exception) when (cancellation.IsCancellationRequested)
        {
            host.Dispose();
            return null;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // The cluster went away; nothing to close gracefully.
        }
        finally
        {
            _host.Dispose();
        }
    }
}
