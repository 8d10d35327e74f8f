using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using TradeSim.Grains.Runs;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Storage;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// `tradesim-silo`: a member of a TradeSim cluster - an Orleans silo on the generic host, with Orleans' ADO.NET
/// clustering on the cluster's PostgreSQL (invariant Npgsql) and the PostgreSQL result store. It brings the
/// database's schema up to date (TradeSim's tables and Orleans' membership tables and queries), checks that its ports
/// are free, joins, runs runs until SIGTERM or Ctrl-C, then gives its runs back and leaves gracefully (exit 0).
/// Exit code 2: bad arguments, a malformed connection string, an unreachable database, or a port in use.
/// </summary>
public static class ClusterSiloProgram
{
    /// <summary>The environment variable that holds the cluster's connection string when `--cluster` is not given.</summary>
    public const string ClusterVariable = "TRADESIM_CLUSTER";

    /// <summary>The Orleans cluster id of a TradeSim cluster: one per database.</summary>
    public const string ClusterId = "tradesim";

    public static int Run(string[] args)
    {
        var cluster = CommandLineValues.Text("--cluster", $"PostgreSQL connection string of the cluster (default: ${ClusterVariable})");
        var workers = CommandLineValues.Int("--workers", "Runs executed at once", 1, 1024, () => Environment.ProcessorCount);
        var name = CommandLineValues.Text("--name", "This silo's name in listings (default: host-pid)");
        var address = CommandLineValues.Single("--address", "The address other silos and clients reach this silo at", "an IP address, e.g. 10.0.0.5", (string text, out string value) =>
        {
            value = text;
            return IPAddress.TryParse(text, out _);
        }, () => "127.0.0.1");
        var siloPort = CommandLineValues.Int("--silo-port", "Port for silo-to-silo traffic", 1, 65535, () => 11111);
        var gatewayPort = CommandLineValues.Int("--gateway-port", "Port clients (tradesim --cluster) connect to", 1, 65535, () => 30000);
        var metrics = new Option<bool>("--metrics") { Description = "Write TradeSim's and Orleans' metrics to stdout every 10 s (OpenTelemetry console exporter)" };
        var root = new RootCommand("tradesim-silo: join a TradeSim cluster (Orleans, membership and results in PostgreSQL) and run its batches' runs.")
        {
            cluster, workers, name, address, siloPort, gatewayPort, metrics,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine(CommandLineValues.EscapeControls($"error: {error.Message}"));
            }

            return 2;
        }

        if (parsed.Action is not null && parsed.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version"))
        {
            return parsed.Invoke();
        }

        if (parsed.GetValue(siloPort) == parsed.GetValue(gatewayPort))
        {
            Console.Error.WriteLine("error: --silo-port and --gateway-port must differ");
            return 2;
        }

        var connectionString = parsed.GetValue(cluster) ?? Environment.GetEnvironmentVariable(ClusterVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine(CommandLineValues.EscapeControls($"error: no cluster: expected --cluster \"Host=...;Database=...;Username=...\" or the {ClusterVariable} environment variable"));
            return 2;
        }

        ClusterDatabase database;
        var ip = IPAddress.Parse(parsed.GetValue(address)!);
        try
        {
            database = ClusterDatabase.FromConnectionString(connectionString);
            database.Prepare();
            SiloPorts.EnsureFree(ip, parsed.GetValue(siloPort), "silo", "--silo-port");
            SiloPorts.EnsureFree(ip, parsed.GetValue(gatewayPort), "gateway", "--gateway-port");
        }
        catch (Exception e) when (e is ClusterUnavailableException or PortInUseException)
        {
            Console.Error.WriteLine(CommandLineValues.EscapeControls($"error: {e.Message}"));
            return 2;
        }

        var siloName = parsed.GetValue(name) ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        using var telemetry = TelemetrySetup.Start("tradesim-silo", parsed.GetValue(metrics) ? TimeSpan.FromSeconds(10) : null);
        using var stopping = new CancellationTokenSource();
        ILogger? storeLog = null;
        var store = new PostgresResultStore(database, stopping.Token, (e, delay) =>
            storeLog?.LogWarning("cluster database unreachable ({Reason}); retrying in {Delay} ms", ClusterDatabase.Describe(e), (int)delay.TotalMilliseconds));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        ConfigureLogging(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.UseOrleans(silo =>
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = database.ConnectionString;
            });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = TradeSimSiloBuilder.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = siloName);
            silo.ConfigureEndpoints(ip, parsed.GetValue(siloPort), parsed.GetValue(gatewayPort), listenOnAnyHostAddress: false);
            silo.Configure<ClusterMembershipOptions>(TradeSimSiloBuilder.TuneMembership);
            silo.Services.AddSingleton<IFatalErrorHandler, LeaveOnFatalError>();
            silo.AddTradeSim(store, runs =>
            {
                runs.Workers = parsed.GetValue(workers);
                runs.AdoptRunningBatches = true;
                runs.CrashOnScenario = Environment.GetEnvironmentVariable(RunOptions.CrashOnScenarioVariable);
            });
        });
        // SIGTERM and Ctrl-C are the only stops that end in exit 0; the host's own handlers still run.
        var askedToStop = 0;
        using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Volatile.Write(ref askedToStop, 1));
        using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Volatile.Write(ref askedToStop, 1));
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TradeSim.Silo");
        storeLog = logger;
        try
        {
            host.Start();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine(CommandLineValues.EscapeControls($"error: the silo could not start: {e.GetType().Name}: {e.Message}"));
            return 1;
        }

        logger.LogInformation(
            "silo {Name} joined cluster {Cluster} at {Database} with {Workers} workers (silo port {SiloPort}, gateway port {GatewayPort})",
            siloName,
            ClusterId,
            database.Display,
            parsed.GetValue(workers).ToString(CultureInfo.InvariantCulture),
            parsed.GetValue(siloPort),
            parsed.GetValue(gatewayPort));
        host.WaitForShutdown();
        stopping.Cancel();
        if (Volatile.Read(ref askedToStop) == 0)
        {
            // Orleans (or the host) stopped the silo on an error of its own: a supervisor must see a failure.
            logger.LogError("silo {Name} stopped without being asked to (the lines above say why): exit 1", siloName);
            return 1;
        }

        logger.LogInformation("silo {Name} left the cluster", siloName);
        return 0;
    }

    /// <summary>
    /// One line per message with a timestamp; TradeSim's information, Orleans' warnings and errors (collapsed, one line
    /// per event, so a dead peer does not flood the log).
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);

        // Polly logs every grain placement at Information.
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddProvider(new CollapsingLoggerProvider(new TextWriterLoggerProvider(Console.Out, withTimestamp: true), TimeSpan.FromSeconds(30)));
    }
}
