using System.Globalization;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Storage;

namespace TradeSim.Client.Output;

/// <summary>
/// `tradesim cluster status`: the silos as Orleans' membership has them (alive, suspected, not responding, stopping,
/// dead), each with the runs it finished, and the batches with their run counts.
/// </summary>
internal static class ClusterStatusWriter
{
    public static void Write(TextWriter o, string location, IReadOnlyList<ClusterSilo> silos, IReadOnlyDictionary<string, long> runsDoneBySilo, IReadOnlyList<BatchCounts> batches, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(runsDoneBySilo);
        ArgumentNullException.ThrowIfNull(batches);
        o.WriteLine($"cluster: {location}");
        o.WriteLine($"silos: {silos.Count(s => s.State == SiloState.Alive)} alive of {silos.Count}");
        Table(o, ["name", "state", "host", "address", "gateway", "started", "last alive", "runs done"], silos.Select(s => new[]
        {
            s.Name,
            State(s.State),
            s.Host,
            s.SiloAddress,
            s.GatewayPort == 0 ? "-" : s.GatewayPort.ToString(CultureInfo.InvariantCulture),
            s.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            Ago(now - s.LastAlive),
            runsDoneBySilo.GetValueOrDefault(s.SiloAddress).ToString("N0", CultureInfo.InvariantCulture),
        }));
        o.WriteLine($"batches: {batches.Count}");
        Table(o, ["batch", "status", "created", "scenarios", "replications", "done", "pending", "failed"], batches.Select(b => new[]
        {
            b.Id.ToString(CultureInfo.InvariantCulture),
            b.Status,
            b.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            b.Scenarios.ToString(CultureInfo.InvariantCulture),
            b.PlannedReplications.ToString(CultureInfo.InvariantCulture),
            b.Done.ToString("N0", CultureInfo.InvariantCulture),
            b.Pending.ToString("N0", CultureInfo.InvariantCulture),
            b.Failed.ToString("N0", CultureInfo.InvariantCulture),
        }));
    }

    private static string State(SiloState state) => state switch
    {
        SiloState.Alive => "alive",
        SiloState.Suspected => "suspected",
        SiloState.NotResponding => "not responding",
        SiloState.Joining => "joining",
        SiloState.Stopping => "stopping",
        _ => "dead",
    };

    private static string Ago(TimeSpan age) =>
        age.TotalSeconds < 90 ? $"{Math.Max(0, age.TotalSeconds):F0} s ago" : age.TotalMinutes < 90 ? $"{age.TotalMinutes:F0} min ago" : $"{age.TotalHours:F0} h ago";

    private static void Table(TextWriter o, string[] header, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            o.WriteLine("  (none)");
            return;
        }

        TextTable.Write(o, header, list, textColumns: header.Length);
    }
}
