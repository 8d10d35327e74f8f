using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TradeSim.Silo.Cluster;

// `tradesim-silo`: a member of a TradeSim cluster. It runs until SIGTERM or Ctrl-C, then releases its leases and exits 0.
// Exit code 2: bad arguments, a malformed connection string, or a database that cannot be reached at start.
var cluster = new Option<string?>("--cluster") { Description = "PostgreSQL connection string of the cluster (default: $TRADESIM_CLUSTER)" };
var workers = new Option<int>("--workers") { Description = "Runs executed at once", DefaultValueFactory = _ => Environment.ProcessorCount };
var name = new Option<string?>("--name") { Description = "A name for listings (default: host-pid)" };
var leaseSeconds = new Option<double>("--lease-seconds") { Description = "How long a lease lasts without renewal: the time to detect a dead silo", DefaultValueFactory = _ => 10 };
workers.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1024) { r.AddError("--workers must be from 1 to 1024"); } });
leaseSeconds.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 1 or > 3600) { r.AddError("--lease-seconds must be from 1 to 3600"); } });
var root = new RootCommand("tradesim-silo: join a TradeSim cluster coordinated by PostgreSQL and run its batches' runs.") { cluster, workers, name, leaseSeconds };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    return 2;
}

if (parsed.Action is not null && parsed.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version"))
{
    return parsed.Invoke();
}

var connectionString = parsed.GetValue(cluster) ?? Environment.GetEnvironmentVariable("TRADESIM_CLUSTER");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("error: no cluster: expected --cluster \"Host=...;Database=...;Username=...\" or the TRADESIM_CLUSTER environment variable");
    return 2;
}

ClusterDatabase database;
try
{
    database = ClusterDatabase.FromConnectionString(connectionString);
    database.Prepare();
}
catch (ClusterUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

using var telemetry = TradeSim.Silo.Telemetry.TelemetrySetup.Start("tradesim-silo");
var options = new ClusterSiloOptions(parsed.GetValue(name) ?? $"{Environment.MachineName}-{Environment.ProcessId}", parsed.GetValue(workers), TimeSpan.FromSeconds(parsed.GetValue(leaseSeconds)));
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddSingleton(database);
builder.Services.AddSingleton(options);
builder.Services.AddHostedService<ClusterSiloService>();
using var host = builder.Build();
host.Run();
return 0;
