using System.Runtime.InteropServices;
using Npgsql;
using TradeSim.Grains.Scenarios;
using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;

namespace TradeSim.Silo.Cluster;

/// <summary>A run a silo holds: its key, the lease generation that fences its result, and what is needed to run it.</summary>
public sealed record RunLease(long BatchId, int Position, int Replication, int Attempt, ulong Seed, string ScenarioName, string ScenarioHash);

/// <summary>
/// A silo's side of the cluster database. Every operation is one short transaction; no lock or transaction is held
/// while a run executes. Leases are fenced by the run's attempt number: a result or failure is accepted only from
/// the silo holding the current attempt while its lease is unexpired, so a silo that was paused past its lease and
/// comes back cannot overwrite anything.
/// </summary>
public sealed class ClusterMember(Guid siloId, TimeSpan leaseDuration)
{
    private readonly Dictionary<string, IReadOnlyList<ScenarioSource>> _layers = new(StringComparer.Ordinal);

    public Guid SiloId => siloId;

    public TimeSpan LeaseDuration => leaseDuration;

    public void Join(NpgsqlConnection connection, string name, int workers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var insert = new NpgsqlCommand(
            "INSERT INTO silos (id, name, host, pid, workers, engine_version) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()",
            connection);
        insert.Parameters.AddWithValue(siloId);
        insert.Parameters.AddWithValue(name);
        insert.Parameters.AddWithValue(Environment.MachineName);
        insert.Parameters.AddWithValue(Environment.ProcessId);
        insert.Parameters.AddWithValue(workers);
        insert.Parameters.AddWithValue(EngineVersion.Current);
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// Extends the leases of the runs this silo is executing (only those: a lease it lost track of must expire) and
    /// marks the silo alive. Runs are locked before the silo's row, in the same order as <see cref="Complete"/>, so the
    /// two never deadlock.
    /// </summary>
    public int Heartbeat(NpgsqlConnection connection, IReadOnlyCollection<RunLease> executing)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(executing);
        using var tx = connection.BeginTransaction();
        var renewed = 0;
        if (executing.Count > 0)
        {
            using var renew = new NpgsqlCommand(
                """
                UPDATE runs r SET lease_expires_at = now() + $2
                FROM unnest($3::bigint[], $4::integer[], $5::integer[], $6::integer[]) AS h(batch_id, position, replication, attempt)
                WHERE (r.batch_id, r.position, r.replication, r.attempt) = (h.batch_id, h.position, h.replication, h.attempt)
                  AND r.lease_owner = $1 AND r.state = 'leased' AND r.lease_expires_at >= now()
                """,
                connection,
                tx);
            renew.Parameters.AddWithValue(siloId);
            renew.Parameters.AddWithValue(leaseDuration);
            renew.Parameters.AddWithValue(executing.Select(l => l.BatchId).ToArray());
            renew.Parameters.AddWithValue(executing.Select(l => l.Position).ToArray());
            renew.Parameters.AddWithValue(executing.Select(l => l.Replication).ToArray());
            renew.Parameters.AddWithValue(executing.Select(l => l.Attempt).ToArray());
            renewed = renew.ExecuteNonQuery();
        }

        Execute(connection, tx, "UPDATE silos SET heartbeat_at = now() WHERE id = $1", siloId);
        tx.Commit();
        return renewed;
    }

    /// <summary>
    /// Leases up to <paramref name="count"/> runs of batches this engine version can run: pending runs whose backoff
    /// has passed, and runs whose lease expired (their silo died or stalled). A run whose lease expired for the last
    /// allowed time is marked failed instead.
    /// </summary>
    public IReadOnlyList<RunLease> Lease(NpgsqlConnection connection, int count)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var tx = connection.BeginTransaction();
        using (var giveUp = new NpgsqlCommand(
            """
            WITH expired AS (
                SELECT r.batch_id, r.position, r.replication FROM runs r JOIN batches b ON b.id = r.batch_id
                WHERE r.state = 'leased' AND r.lease_expires_at < now() AND r.failures + 1 >= b.max_attempts
                FOR UPDATE OF r SKIP LOCKED)
            UPDATE runs r SET state = 'failed', failures = r.failures + 1, lease_owner = NULL, lease_expires_at = NULL,
                last_error = 'its silo stopped responding on every attempt (killed, or hung past its lease)'
            FROM expired e WHERE (r.batch_id, r.position, r.replication) = (e.batch_id, e.position, e.replication)
            RETURNING r.batch_id, r.position, r.replication, r.attempt
            """,
            connection,
            tx))
        {
            var givenUp = new List<(long, int, int, int)>();
            using (var reader = giveUp.ExecuteReader())
            {
                while (reader.Read())
                {
                    givenUp.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
                }
            }

            foreach (var (batch, position, replication, attempt) in givenUp)
            {
                Execute(connection, tx, "UPDATE run_leases SET ended_at = clock_timestamp(), outcome = 'expired' WHERE batch_id = $1 AND position = $2 AND replication = $3 AND attempt = $4 AND ended_at IS NULL", batch, position, replication, attempt);
            }
        }

        var leases = new List<RunLease>();
        using (var lease = new NpgsqlCommand(
            """
            WITH candidates AS (
                SELECT r.batch_id, r.position, r.replication FROM runs r JOIN batches b ON b.id = r.batch_id
                WHERE b.engine_version = $3
                  AND ((r.state = 'pending' AND r.not_before <= now()) OR (r.state = 'leased' AND r.lease_expires_at < now()))
                ORDER BY r.batch_id, r.replication, r.position
                LIMIT $4
                FOR UPDATE OF r SKIP LOCKED),
            leased AS (
                UPDATE runs r SET
                    failures = r.failures + CASE WHEN r.state = 'leased' THEN 1 ELSE 0 END,
                    state = 'leased', attempt = r.attempt + 1, lease_owner = $1, lease_expires_at = now() + $2
                FROM candidates c WHERE (r.batch_id, r.position, r.replication) = (c.batch_id, c.position, c.replication)
                RETURNING r.batch_id, r.position, r.replication, r.attempt)
            SELECT l.batch_id, l.position, l.replication, l.attempt, b.seed, s.name, s.hash
            FROM leased l JOIN batches b ON b.id = l.batch_id JOIN batch_scenarios s ON s.batch_id = l.batch_id AND s.position = l.position
            ORDER BY l.batch_id, l.replication, l.position
            """,
            connection,
            tx))
        {
            lease.Parameters.AddWithValue(siloId);
            lease.Parameters.AddWithValue(leaseDuration);
            lease.Parameters.AddWithValue(EngineVersion.Current);
            lease.Parameters.AddWithValue(count);
            using var reader = lease.ExecuteReader();
            while (reader.Read())
            {
                leases.Add(new RunLease(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), (ulong)reader.GetDecimal(4), reader.GetString(5), reader.GetString(6)));
            }
        }

        foreach (var l in leases)
        {
            Execute(connection, tx, "UPDATE run_leases SET ended_at = clock_timestamp(), outcome = 'expired' WHERE batch_id = $1 AND position = $2 AND replication = $3 AND attempt < $4 AND ended_at IS NULL", l.BatchId, l.Position, l.Replication, l.Attempt);
            Execute(connection, tx, "INSERT INTO run_leases (batch_id, position, replication, attempt, silo_id) VALUES ($1, $2, $3, $4, $5)", l.BatchId, l.Position, l.Replication, l.Attempt, siloId);
        }

        tx.Commit();
        return leases;
    }

    /// <summary>The resolved scenario text of a run if it was fetched before (no database needed).</summary>
    public IReadOnlyList<ScenarioSource>? CachedLayers(string hash)
    {
        lock (_layers)
        {
            return _layers.GetValueOrDefault(hash);
        }
    }

    /// <summary>The resolved scenario text of a run, fetched once per hash.</summary>
    public IReadOnlyList<ScenarioSource> Layers(NpgsqlConnection connection, string hash)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (CachedLayers(hash) is { } cached)
        {
            return cached;
        }

        using var select = new NpgsqlCommand("SELECT layers_json FROM scenario_texts WHERE hash = $1", connection);
        select.Parameters.AddWithValue(hash);
        var layers = ClusterStore.ParseLayers((string)select.ExecuteScalar()!);
        lock (_layers)
        {
            _layers[hash] = layers;
        }

        return layers;
    }

    /// <summary>
    /// Writes a run's result and its completion in one transaction, refused (false) unless this silo still holds the
    /// run's current attempt with an unexpired lease. A result already there is kept (the run key is the primary key).
    /// </summary>
    public bool Complete(NpgsqlConnection connection, RunLease lease, IReadOnlyList<KpiValue> kpis, IReadOnlyList<(string Gate, float[] MeanQueue)> queues, bool conserved, double wallMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(kpis);
        ArgumentNullException.ThrowIfNull(queues);
        using var tx = connection.BeginTransaction();
        using (var claim = new NpgsqlCommand(
            """
            UPDATE runs SET state = 'done', finished_at = now(), wall_ms = $6, conserved = $7, lease_owner = NULL, lease_expires_at = NULL
            WHERE batch_id = $1 AND position = $2 AND replication = $3 AND state = 'leased' AND attempt = $4 AND lease_owner = $5 AND lease_expires_at >= now()
            """,
            connection,
            tx))
        {
            AddKey(claim, lease);
            claim.Parameters.AddWithValue(siloId);
            claim.Parameters.AddWithValue(wallMilliseconds);
            claim.Parameters.AddWithValue(conserved);
            if (claim.ExecuteNonQuery() == 0)
            {
                tx.Rollback();
                return false;
            }
        }

        var queueBytes = new List<byte>();
        foreach (var (_, series) in queues)
        {
            queueBytes.AddRange(MemoryMarshal.AsBytes(series.AsSpan()).ToArray());
        }

        Execute(
            connection,
            tx,
            "INSERT INTO results (batch_id, position, replication, attempt, silo_id, kpi_names, kpi_values, queue_gates, queue_values) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            lease.BatchId,
            lease.Position,
            lease.Replication,
            lease.Attempt,
            siloId,
            kpis.Select(k => k.Name).ToArray(),
            kpis.Select(k => k.Value + 0.0).ToArray(),
            queues.Select(q => q.Gate).ToArray(),
            queueBytes.ToArray());
        Execute(connection, tx, "UPDATE silos SET runs_done = runs_done + 1 WHERE id = $1", siloId);
        Execute(connection, tx, "UPDATE run_leases SET ended_at = clock_timestamp(), outcome = 'done' WHERE batch_id = $1 AND position = $2 AND replication = $3 AND attempt = $4", lease.BatchId, lease.Position, lease.Replication, lease.Attempt);
        Execute(connection, tx, "SELECT pg_notify('tradesim_runs', $1::text)", lease.BatchId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        tx.Commit();
        return true;
    }

    /// <summary>
    /// Records that a run threw: it goes back to pending after a backoff (0.5 s doubling per failure, at most 30 s),
    /// or is marked failed with the error once it has used its attempts. Fenced like <see cref="Complete"/>.
    /// </summary>
    public bool Fail(NpgsqlConnection connection, RunLease lease, string error)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(lease);
        using var tx = connection.BeginTransaction();
        using var fail = new NpgsqlCommand(
            """
            UPDATE runs r SET failures = r.failures + 1,
                state = CASE WHEN r.failures + 1 >= b.max_attempts THEN 'failed' ELSE 'pending' END,
                not_before = now() + make_interval(secs => least(30, 0.5 * power(2, r.failures))),
                last_error = $6, lease_owner = NULL, lease_expires_at = NULL
            FROM batches b
            WHERE b.id = r.batch_id AND r.batch_id = $1 AND r.position = $2 AND r.replication = $3 AND r.state = 'leased' AND r.attempt = $4 AND r.lease_owner = $5
              AND r.lease_expires_at >= now()
            """,
            connection,
            tx);
        AddKey(fail, lease);
        fail.Parameters.AddWithValue(siloId);
        fail.Parameters.AddWithValue(error);
        if (fail.ExecuteNonQuery() == 0)
        {
            // The lease was lost meanwhile: the run's history belongs to whoever holds it now.
            tx.Rollback();
            return false;
        }

        Execute(connection, tx, "UPDATE run_leases SET ended_at = clock_timestamp(), outcome = 'failed' WHERE batch_id = $1 AND position = $2 AND replication = $3 AND attempt = $4 AND ended_at IS NULL", lease.BatchId, lease.Position, lease.Replication, lease.Attempt);
        tx.Commit();
        return true;
    }

    /// <summary>Gives back every run this silo holds, at once (shutdown): they go back to pending without counting as a failure.</summary>
    public int ReleaseAll(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var tx = connection.BeginTransaction();
        Execute(
            connection,
            tx,
            """
            UPDATE run_leases l SET ended_at = clock_timestamp(), outcome = 'released'
            FROM runs r WHERE r.lease_owner = $1 AND r.state = 'leased'
              AND (l.batch_id, l.position, l.replication, l.attempt) = (r.batch_id, r.position, r.replication, r.attempt)
            """,
            siloId);
        var released = Execute(connection, tx, "UPDATE runs SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, not_before = now() WHERE lease_owner = $1 AND state = 'leased'", siloId);
        using (var stop = new NpgsqlCommand("UPDATE silos SET stopped_at = now() WHERE id = $1", connection, tx))
        {
            stop.Parameters.AddWithValue(siloId);
            stop.ExecuteNonQuery();
        }

        tx.Commit();
        return released;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params object[] values)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return command.ExecuteNonQuery();
    }

    private static void AddKey(NpgsqlCommand command, RunLease lease)
    {
        command.Parameters.AddWithValue(lease.BatchId);
        command.Parameters.AddWithValue(lease.Position);
        command.Parameters.AddWithValue(lease.Replication);
        command.Parameters.AddWithValue(lease.Attempt);
    }
}
