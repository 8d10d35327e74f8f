using System.Globalization;
using TradeSim.Silo.Cluster;

namespace TradeSim.Client.Output;

/// <summary>`tradesim cluster status`: the silos (alive, dead or stopped) and the batches with their run counts.</summary>
internal static class ClusterStatusWriter
{
    public static void Write(TextWriter o, string location, IReadOnlyList<SiloInfo> silos, IReadOnlyList<BatchProgressInfo> batches, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(batches);
        o.WriteLine($"cluster: {location}");
        o.WriteLine($"silos: {silos.Count(s => s.Alive)} alive of {silos.Count}");
        Table(o, ["name", "state", "host", "pid", "workers", "runs done", "last heartbeat"], silos.Select(s => new[]
        {
            s.Name,
            s.Alive ? "alive" : s.StoppedAt is not null ? "stopped" : "dead",
            s.Host,
            s.Pid.ToString(CultureInfo.InvariantCulture),
            s.Workers.ToString(CultureInfo.InvariantCulture),
            s.RunsDone.ToString("N0", CultureInfo.InvariantCulture),
            Ago(now - s.HeartbeatAt),
        }));
        o.WriteLine($"batches: {batches.Count}");
        Table(o, ["batch", "status", "created", "scenarios", "replications", "done", "running", "pending", "failed"], batches.Select(b => new[]
        {
            b.Id.ToString(CultureInfo.InvariantCulture),
            b.Status,
            b.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            b.Scenarios.ToString(CultureInfo.InvariantCulture),
            b.PlannedReplications.ToString(CultureInfo.InvariantCulture),
            b.Done.ToString("N0", CultureInfo.InvariantCulture),
            b.Leased.ToString("N0", CultureInfo.InvariantCulture),
            b.Pending.ToString("N0", CultureInfo.InvariantCulture),
            b.Failed.ToString("N0", CultureInfo.InvariantCulture),
        }));
    }

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
