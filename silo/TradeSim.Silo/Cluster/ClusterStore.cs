using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TradeSim.Grains.Scenarios;
using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;

namespace TradeSim.Silo.Cluster;

/// <summary>A silo as the membership table knows it.</summary>
public sealed record SiloInfo(Guid Id, string Name, string Host, int Pid, int Workers, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, DateTimeOffset? StoppedAt, long RunsDone, bool Alive);

/// <summary>A batch's progress in the cluster.</summary>
public sealed record BatchProgressInfo(long Id, string Status, DateTimeOffset CreatedAt, int Scenarios, int PlannedReplications, long Pending, long Leased, long Done, long Failed);

/// <summary>
/// The client's side of the cluster database: submits batches (a batch submitted again is found, not duplicated),
/// plans precision rounds, lists silos and batches, and reads results back exactly as the embedded store does.
/// Every call retries with backoff while the server is unreachable, until the cancellation token fires.
/// </summary>
public sealed class ClusterStore(ClusterDatabase database, CancellationToken cancellation) : IBatchStore
{
    /// <summary>Attempts a run gets before it is marked failed (a run that throws, or whose silo dies, each time).</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>A silo whose heartbeat is older than this is shown as dead.</summary>
    public static readonly TimeSpan SiloTimeout = TimeSpan.FromSeconds(10);

    public string Location => database.Display;

    /// <summary>Records a batch and plans its first round, or finds the identical batch submitted before.</summary>
    public (long Id, bool Created) Submit(BatchSpec spec, int plannedReplications, int maxAttempts = DefaultMaxAttempts)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var fingerprint = Fingerprint(spec);
        return database.WithRetry(connection =>
        {
            using var tx = connection.BeginTransaction();
            using (var find = new NpgsqlCommand("SELECT id FROM batches WHERE fingerprint = $1", connection, tx))
            {
                find.Parameters.AddWithValue(fingerprint);
                if (find.ExecuteScalar() is long existing)
                {
                    tx.Commit();
                    return (existing, false);
                }
            }

            long id;
            using (var insert = new NpgsqlCommand(
                """
                INSERT INTO batches (fingerprint, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, max_attempts, options_json, status)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'running')
                ON CONFLICT (fingerprint) DO NOTHING RETURNING id
                """,
                connection,
                tx))
            {
                insert.Parameters.AddWithValue(fingerprint);
                insert.Parameters.AddWithValue(EngineVersion.Current);
                insert.Parameters.AddWithValue((decimal)spec.Seed);
                insert.Parameters.AddWithValue(spec.BaselinePosition);
                insert.Parameters.AddWithValue(spec.Policy.MinReplications);
                insert.Parameters.AddWithValue(spec.Policy.MaxReplications);
                insert.Parameters.Add(new NpgsqlParameter { Value = spec.Policy.Precision is { } p ? p : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
                insert.Parameters.AddWithValue(plannedReplications);
                insert.Parameters.AddWithValue(maxAttempts);
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(spec.Options));
                if (insert.ExecuteScalar() is not long created)
                {
                    // Someone submitted the same batch in the meantime: theirs is ours.
                    tx.Rollback();
                    return (FindByFingerprint(connection, fingerprint), false);
                }

                id = created;
            }

            foreach (var s in spec.Scenarios)
            {
                using var text = new NpgsqlCommand("INSERT INTO scenario_texts (hash, layers_json) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING", connection, tx);
                text.Parameters.AddWithValue(s.Hash);
                text.Parameters.AddWithValue(ScenarioText.ToJson(s.Layers));
                text.ExecuteNonQuery();
                using var scenario = new NpgsqlCommand("INSERT INTO batch_scenarios (batch_id, position, name, hash) VALUES ($1, $2, $3, $4)", connection, tx);
                scenario.Parameters.AddWithValue(id);
                scenario.Parameters.AddWithValue(s.Position);
                scenario.Parameters.AddWithValue(s.Name);
                scenario.Parameters.AddWithValue(s.Hash);
                scenario.ExecuteNonQuery();
            }

            PlanRuns(connection, tx, id, spec.Scenarios.Count, plannedReplications);
            tx.Commit();
            return (id, true);
        }, cancellation);
    }

    /// <summary>The identity of a batch: engine, seed, policy and every scenario's name and hash (not the command line).</summary>
    public static string Fingerprint(BatchSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var identity = JsonSerializer.Serialize(new
        {
            engine = EngineVersion.Current,
            seed = spec.Seed,
            baseline = spec.BaselinePosition,
            min = spec.Policy.MinReplications,
            max = spec.Policy.MaxReplications,
            precision = spec.Policy.Precision,
            scenarios = spec.Scenarios.Select(s => new[] { s.Name, s.Hash }),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    public void PlanReplications(long batchId, int replications)
    {
        var scenarios = LoadBatch(batchId).Spec.Scenarios.Count;
        database.WithRetry(connection =>
        {
            using var tx = connection.BeginTransaction();
            PlanRuns(connection, tx, batchId, scenarios, replications);
            using var update = new NpgsqlCommand("UPDATE batches SET planned_replications = greatest(planned_replications, $1) WHERE id = $2", connection, tx);
            update.Parameters.AddWithValue(replications);
            update.Parameters.AddWithValue(batchId);
            update.ExecuteNonQuery();
            tx.Commit();
        }, cancellation);
    }

    public void SetStatus(long batchId, string status) => database.WithRetry(connection =>
    {
        using var update = new NpgsqlCommand("UPDATE batches SET status = $1 WHERE id = $2", connection);
        update.Parameters.AddWithValue(status);
        update.Parameters.AddWithValue(batchId);
        update.ExecuteNonQuery();
    }, cancellation);

    public BatchRecord LoadBatch(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            "SELECT created_at, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status FROM batches WHERE id = $1",
            connection);
        select.Parameters.AddWithValue(batchId);
        DateTimeOffset created;
        string engine, status;
        ulong seed;
        int baseline, planned;
        ReplicationPolicy policy;
        List<string> options;
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                reader.Close();
                var known = Ids(connection, "SELECT id FROM batches ORDER BY id");
                throw new ResultStoreException(
                    $"batch {batchId} is not in the cluster database {database.Display}: expected one of {(known.Count == 0 ? "(none: no batch was submitted)" : string.Join(", ", known))}");
            }

            created = new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero);
            engine = reader.GetString(1);
            seed = (ulong)reader.GetDecimal(2);
            baseline = reader.GetInt32(3);
            policy = new ReplicationPolicy(reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetDouble(6));
            planned = reader.GetInt32(7);
            options = JsonSerializer.Deserialize<List<string>>(reader.GetString(8)) ?? [];
            status = reader.GetString(9);
        }

        var scenarios = new List<BatchScenario>();
        using (var list = new NpgsqlCommand(
            "SELECT s.position, s.name, t.layers_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash WHERE s.batch_id = $1 ORDER BY s.position",
            connection))
        {
            list.Parameters.AddWithValue(batchId);
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                scenarios.Add(new BatchScenario(reader.GetInt32(0), reader.GetString(1), ParseLayers(reader.GetString(2))));
            }
        }

        return new BatchRecord(batchId, created, engine, status, new BatchSpec(scenarios, baseline, seed, policy, options), planned);
    }, cancellation);

    public IReadOnlyList<(int Position, int Replication)> PendingRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT position, replication FROM runs WHERE batch_id = $1 AND state IN ('pending', 'leased') ORDER BY replication, position", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<(int, int)>();
        while (reader.Read())
        {
            runs.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return (IReadOnlyList<(int, int)>)runs;
    }, cancellation);

    public IReadOnlyList<StoredRun> FinishedRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            "SELECT position, replication, kpi_names, kpi_values FROM results WHERE batch_id = $1 ORDER BY position, replication", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<StoredRun>();
        while (reader.Read())
        {
            var names = reader.GetFieldValue<string[]>(2);
            var values = reader.GetFieldValue<double[]>(3);
            var kpis = new Dictionary<string, double>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                kpis[names[i]] = values[i];
            }

            runs.Add(new StoredRun(reader.GetInt32(0), reader.GetInt32(1), kpis));
        }

        return (IReadOnlyList<StoredRun>)runs;
    }, cancellation);

    public IReadOnlyList<string> KpiNames(long batchId, int position) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT kpi_names FROM results WHERE batch_id = $1 AND position = $2 ORDER BY replication LIMIT 1", connection);
        select.Parameters.AddWithValue(batchId);
        select.Parameters.AddWithValue(position);
        return select.ExecuteScalar() is string[] names ? names : (IReadOnlyList<string>)[];
    }, cancellation);

    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT position, replication, queue_gates, queue_values FROM results WHERE batch_id = $1 ORDER BY position, replication", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var series = new List<(int, int, string, float[])>();
        while (reader.Read())
        {
            var gates = reader.GetFieldValue<string[]>(2);
            var values = MemoryMarshal.Cast<byte, float>(reader.GetFieldValue<byte[]>(3));
            var days = gates.Length == 0 ? 0 : values.Length / gates.Length;
            var ordered = gates.Select((g, i) => (g, i)).OrderBy(x => x.g, StringComparer.Ordinal);
            foreach (var (gate, i) in ordered)
            {
                series.Add((reader.GetInt32(0), reader.GetInt32(1), gate, values.Slice(i * days, days).ToArray()));
            }
        }

        return (IReadOnlyList<(int, int, string, float[])>)series;
    }, cancellation);

    public long UnconservedRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT count(*) FROM runs WHERE batch_id = $1 AND state = 'done' AND conserved = false", connection);
        select.Parameters.AddWithValue(batchId);
        return (long)select.ExecuteScalar()!;
    }, cancellation);

    public IReadOnlyList<FailedRun> FailedRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT position, replication, failures, coalesce(last_error, '') FROM runs WHERE batch_id = $1 AND state = 'failed' ORDER BY position, replication", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var failed = new List<FailedRun>();
        while (reader.Read())
        {
            failed.Add(new FailedRun(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3)));
        }

        return (IReadOnlyList<FailedRun>)failed;
    }, cancellation);

    public IReadOnlyList<SiloInfo> Silos() => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            """
            SELECT id, name, host, pid, workers, started_at, heartbeat_at, stopped_at, runs_done,
                   stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => $1)
            FROM silos ORDER BY started_at, name
            """,
            connection);
        select.Parameters.AddWithValue(SiloTimeout.TotalSeconds);
        using var reader = select.ExecuteReader();
        var silos = new List<SiloInfo>();
        while (reader.Read())
        {
            silos.Add(new SiloInfo(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero),
                new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero),
                reader.IsDBNull(7) ? null : new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero),
                reader.GetInt64(8),
                reader.GetBoolean(9)));
        }

        return (IReadOnlyList<SiloInfo>)silos;
    }, cancellation);

    public IReadOnlyList<BatchProgressInfo> Batches(long? only = null) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            """
            SELECT b.id, b.status, b.created_at, (SELECT count(*) FROM batch_scenarios s WHERE s.batch_id = b.id), b.planned_replications,
                   count(*) FILTER (WHERE r.state = 'pending'), count(*) FILTER (WHERE r.state = 'leased'),
                   count(*) FILTER (WHERE r.state = 'done'), count(*) FILTER (WHERE r.state = 'failed')
            FROM batches b LEFT JOIN runs r ON r.batch_id = b.id
            WHERE $1::bigint IS NULL OR b.id = $1
            GROUP BY b.id ORDER BY b.id
            """,
            connection);
        select.Parameters.Add(new NpgsqlParameter { Value = only is { } id ? id : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        using var reader = select.ExecuteReader();
        var batches = new List<BatchProgressInfo>();
        while (reader.Read())
        {
            batches.Add(new BatchProgressInfo(
                reader.GetInt64(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), (int)reader.GetInt64(3), reader.GetInt32(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        }

        return (IReadOnlyList<BatchProgressInfo>)batches;
    }, cancellation);

    internal static IReadOnlyList<ScenarioSource> ParseLayers(string json) =>
        ScenarioText.FromJson(json);

    private static void PlanRuns(NpgsqlConnection connection, NpgsqlTransaction tx, long batchId, int scenarios, int replications)
    {
        using var plan = new NpgsqlCommand(
            """
            INSERT INTO runs (batch_id, position, replication)
            SELECT $1, p, r FROM generate_series(0, $2 - 1) p CROSS JOIN generate_series(0, $3 - 1) r
            ON CONFLICT DO NOTHING
            """,
            connection,
            tx);
        plan.Parameters.AddWithValue(batchId);
        plan.Parameters.AddWithValue(scenarios);
        plan.Parameters.AddWithValue(replications);
        plan.ExecuteNonQuery();
    }

    private static long FindByFingerprint(NpgsqlConnection connection, string fingerprint)
    {
        using var find = new NpgsqlCommand("SELECT id FROM batches WHERE fingerprint = $1", connection);
        find.Parameters.AddWithValue(fingerprint);
        return (long)find.ExecuteScalar()!;
    }

    private static List<long> Ids(NpgsqlConnection connection, string sql)
    {
        using var select = new NpgsqlCommand(sql, connection);
        using var reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

}
