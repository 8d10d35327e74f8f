using Npgsql;
using TradeSim.Silo.Hosting;

namespace TradeSim.Silo.Cluster;

/// <summary>How a silo stands in the cluster, as Orleans' membership table says.</summary>
public enum SiloState
{
    /// <summary>Starting: created or joining.</summary>
    Joining,

    /// <summary>Active, writing its I-am-alive time, and suspected by no peer.</summary>
    Alive,

    /// <summary>Active, but a peer has voted it may be dead (missed probes); not declared dead yet.</summary>
    Suspected,

    /// <summary>Active in the table but silent: no I-am-alive for a while, and no peer left to declare it dead.</summary>
    NotResponding,

    /// <summary>Shutting down or stopping gracefully.</summary>
    Stopping,

    /// <summary>Declared dead (killed, frozen past failure detection, or stopped).</summary>
    Dead,
}

/// <summary>One silo of the cluster: a row of Orleans' membership table (one per process start).</summary>
public sealed record ClusterSilo(string Name, string Host, string Address, int Port, int Generation, int GatewayPort, SiloState State, DateTimeOffset StartedAt, DateTimeOffset LastAlive, int Suspicions)
{
    /// <summary>The silo's Orleans address as results record it: `ip:port@generation`.</summary>
    public string SiloAddress => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Address}:{Port}@{Generation}");
}

/// <summary>
/// Reads the cluster's silos from Orleans' membership table (ADO.NET clustering) for `tradesim cluster status`:
/// what Orleans itself decided (active, suspected, dead), plus "not responding" for an active row whose I-am-alive
/// time is older than three publish periods, which happens when every silo of a cluster was killed.
/// </summary>
public static class ClusterMembership
{
    /// <summary>Orleans' status values in its membership table (Orleans.Runtime.SiloStatus).</summary>
    private const int Created = 1, Joining = 2, Active = 3, ShuttingDown = 4, Stopping = 5, Dead = 6;

    public static IReadOnlyList<ClusterSilo> Silos(ClusterDatabase database, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(database);
        var silent = TimeSpan.FromSeconds(3 * TradeSimSiloBuilder.IAmAlivePeriod.TotalSeconds);
        return database.WithRetry(connection =>
        {
            using var select = new NpgsqlCommand(
                """
                SELECT siloname, hostname, address, port, generation, proxyport, status, starttime, iamalivetime,
                       coalesce(array_length(string_to_array(nullif(suspecttimes, ''), '|'), 1), 0),
                       iamalivetime < now() - make_interval(secs => $2)
                FROM orleansmembershiptable WHERE deploymentid = $1
                ORDER BY starttime, siloname
                """,
                connection);
            select.Parameters.AddWithValue(ClusterSiloProgram.ClusterId);
            select.Parameters.AddWithValue(silent.TotalSeconds);
            using var reader = select.ExecuteReader();
            var silos = new List<ClusterSilo>();
            while (reader.Read())
            {
                var suspicions = reader.GetInt32(9);
                var state = reader.GetInt32(6) switch
                {
                    Created or Joining => SiloState.Joining,
                    Active when reader.GetBoolean(10) => SiloState.NotResponding,
                    Active when suspicions > 0 => SiloState.Suspected,
                    Active => SiloState.Alive,
                    ShuttingDown or Stopping => SiloState.Stopping,
                    Dead => SiloState.Dead,
                    _ => SiloState.Joining,
                };
                silos.Add(new ClusterSilo(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt32(3),
                    reader.GetInt32(4),
                    reader.GetInt32(5),
                    state,
                    new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero),
                    new DateTimeOffset(reader.GetDateTime(8), TimeSpan.Zero),
                    suspicions));
            }

            return (IReadOnlyList<ClusterSilo>)silos;
        }, cancellation);
    }
}
