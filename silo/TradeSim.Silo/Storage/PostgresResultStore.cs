using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Cluster;

namespace TradeSim.Silo.Storage;

/// <summary>A batch's progress as the cluster's database has it.</summary>
public sealed record BatchCounts(long Id, string Status, DateTimeOffset CreatedAt, int Scenarios, int PlannedReplications, long Pending, long Done, long Failed);

/// <summary>
/// The cluster's result store, in PostgreSQL next to Orleans' membership tables. A batch submitted again (same
/// engine, seed, policy and scenarios) is found, not duplicated. A result is written once under its run key (the
/// primary key): a duplicate execution finds it and compares digests. Every call is one short transaction on a pooled
/// connection, retried with backoff while the server is unreachable (e.g. restarting) until the store's cancellation
/// token fires; <paramref name="onRetry"/> hears of each retry.
/// </summary>
public sealed class PostgresResultStore(ClusterDatabase database, CancellationToken cancellation, Action<Exception, TimeSpan>? onRetry = null) : IResultStore
{
    public string Location => database.Display;

    public (long Id, bool Created) CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var fingerprint = Fingerprint(spec);
        return database.WithRetry(connection =>
        {
            using var tx = connection.BeginTransaction();
            if (FindByFingerprint(connection, tx, fingerprint) is { } existing)
            {
                tx.Commit();
                return (existing, false);
            }

            long id;
            using (var insert = new NpgsqlCommand(
                """
                INSERT INTO batches (fingerprint, created_at, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, max_attempts, options_json, status, precision_kpis, precision_absolute)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'running', $12, $13)
                ON CONFLICT (fingerprint) DO NOTHING RETURNING id
                """,
                connection,
                tx))
            {
                insert.Parameters.AddWithValue(fingerprint);
                insert.Parameters.AddWithValue(createdUtc.ToUniversalTime());
                insert.Parameters.AddWithValue(EngineVersion.Current);
                insert.Parameters.AddWithValue((decimal)spec.Seed);
                insert.Parameters.AddWithValue(spec.BaselinePosition);
                insert.Parameters.AddWithValue(spec.Policy.MinReplications);
                insert.Parameters.AddWithValue(spec.Policy.MaxReplications);
                insert.Parameters.Add(new NpgsqlParameter { Value = spec.Policy.Precision is { } p ? p : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
                insert.Parameters.AddWithValue(plannedReplications);
                insert.Parameters.AddWithValue(BatchSpec.DefaultMaxAttempts);
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(spec.Options));
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(spec.Policy.PrecisionKpis));
                insert.Parameters.AddWithValue(spec.Policy.AbsoluteTolerance);
                if (insert.ExecuteScalar() is not long created)
                {
                    // Someone submitted the same batch in the meantime: theirs is ours.
                    tx.Rollback();
                    return (FindByFingerprint(connection, null, fingerprint)!.Value, false);
                }

                id = created;
            }

            foreach (var s in spec.Scenarios)
            {
                Execute(connection, tx, "INSERT INTO scenario_texts (hash, layers_json) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING", s.Hash, ScenarioText.ToJson(s.Layers));
                Execute(connection, tx, "INSERT INTO batch_scenarios (batch_id, position, name, hash, entities_json) VALUES ($1, $2, $3, $4, $5)", id, s.Position, s.Name, s.Hash, s.Entities.ToJson());
            }

            PlanRuns(connection, tx, id, spec.Scenarios.Count, plannedReplications);
            tx.Commit();
            return (id, true);
        }, cancellation, onRetry);
    }

    private static readonly JsonSerializerOptions FingerprintJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

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

            // Present only when set, so a batch's identity is what it was before the store kept them.
            precision_kpis = spec.Policy.PrecisionKpis.Count == 0 ? null : spec.Policy.PrecisionKpis,
            precision_absolute = spec.Policy.AbsoluteTolerance == 0 ? (double?)null : spec.Policy.AbsoluteTolerance,
            scenarios = spec.Scenarios.Select(s => new[] { s.Name, s.Hash }),
        }, FingerprintJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    public void PlanReplications(long batchId, int replications)
    {
        var scenarios = LoadBatch(batchId).Spec.Scenarios.Count;
        database.WithRetry(connection =>
        {
            using var tx = connection.BeginTransaction();
            PlanRuns(connection, tx, batchId, scenarios, replications);
            Execute(connection, tx, "UPDATE batches SET planned_replications = greatest(planned_replications, $1) WHERE id = $2", replications, batchId);
            tx.Commit();
        }, cancellation, onRetry);
    }

    public void SetStatus(long batchId, string status) =>
        database.WithRetry(connection => Execute(connection, null, "UPDATE batches SET status = $1 WHERE id = $2", status, batchId), cancellation);

    public IReadOnlyList<long> RunningBatches(string engineVersion) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT id FROM batches WHERE status = 'running' AND engine_version = $1 ORDER BY id", connection);
        select.Parameters.AddWithValue(engineVersion);
        return (IReadOnlyList<long>)ReadIds(select);
    }, cancellation, onRetry);

    public IReadOnlyList<ScenarioSource> ScenarioLayers(string hash) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT layers_json FROM scenario_texts WHERE hash = $1", connection);
        select.Parameters.AddWithValue(hash);
        return select.ExecuteScalar() is string json
            ? ScenarioText.FromJson(json)
            : throw new ResultStoreException($"scenario {hash} is not in the cluster database {database.Display}");
    }, cancellation, onRetry);

    public BatchRecord LoadBatch(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            "SELECT created_at, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status, max_attempts, precision_kpis, precision_absolute FROM batches WHERE id = $1",
            connection);
        select.Parameters.AddWithValue(batchId);
        DateTimeOffset created;
        string engine, status;
        ulong seed;
        int baseline, planned, maxAttempts;
        ReplicationPolicy policy;
        List<string> options;
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                reader.Close();
                using var ids = new NpgsqlCommand("SELECT id FROM batches ORDER BY id", connection);
                var known = ReadIds(ids);
                throw new ResultStoreException(
                    $"batch {batchId} is not in the cluster database {database.Display}: expected one of {(known.Count == 0 ? "(none: no batch was submitted)" : string.Join(", ", known))}");
            }

            created = new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero);
            engine = reader.GetString(1);
            seed = (ulong)reader.GetDecimal(2);
            baseline = reader.GetInt32(3);
            policy = new ReplicationPolicy(reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetDouble(6))
            {
                PrecisionKpis = JsonSerializer.Deserialize<List<string>>(reader.GetString(11)) ?? [],
                AbsoluteTolerance = reader.GetDouble(12),
            };
            planned = reader.GetInt32(7);
            options = JsonSerializer.Deserialize<List<string>>(reader.GetString(8)) ?? [];
            status = reader.GetString(9);
            maxAttempts = reader.GetInt32(10);
        }

        var scenarios = new List<BatchScenario>();
        using (var list = new NpgsqlCommand(
            "SELECT s.position, s.name, t.layers_json, s.entities_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash WHERE s.batch_id = $1 ORDER BY s.position",
            connection))
        {
            list.Parameters.AddWithValue(batchId);
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                // A batch stored before version 4 has no entities: they are taken from its text when first asked for.
                var scenario = new BatchScenario(reader.GetInt32(0), reader.GetString(1), ScenarioText.FromJson(reader.GetString(2)));
                scenarios.Add(reader.IsDBNull(3) ? scenario : scenario with { Entities = ScenarioEntities.FromJson(reader.GetString(3)) });
            }
        }

        return new BatchRecord(batchId, created, engine, status, new BatchSpec(scenarios, baseline, seed, policy, options), planned, maxAttempts);
    }, cancellation, onRetry);

    public IReadOnlyList<RunState> RunStates(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT position, replication, state, attempts, last_error FROM runs WHERE batch_id = $1 ORDER BY replication, position", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<RunState>();
        while (reader.Read())
        {
            runs.Add(new RunState(reader.GetInt32(0), reader.GetInt32(1), SqliteResultStore.ParseState(reader.GetString(2)), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return (IReadOnlyList<RunState>)runs;
    }, cancellation, onRetry);

    public IReadOnlyList<int> StartAttempts(IReadOnlyList<RunKey> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return database.WithRetry(connection =>
        {
            // One transaction: when a run is not planned, none of the others is counted either (as in the embedded store).
            using var tx = connection.BeginTransaction();
            using var update = new NpgsqlCommand(
                """
                UPDATE runs r SET attempts = r.attempts + 1
                FROM unnest($1::bigint[], $2::integer[], $3::integer[]) AS k(batch_id, position, replication)
                WHERE (r.batch_id, r.position, r.replication) = (k.batch_id, k.position, k.replication)
                RETURNING r.batch_id, r.position, r.replication, r.attempts
                """,
                connection,
                tx);
            update.Parameters.AddWithValue(runs.Select(r => r.Batch).ToArray());
            update.Parameters.AddWithValue(runs.Select(r => r.Position).ToArray());
            update.Parameters.AddWithValue(runs.Select(r => r.Replication).ToArray());
            var attempts = new Dictionary<RunKey, int>();
            using (var reader = update.ExecuteReader())
            {
                while (reader.Read())
                {
                    attempts[new RunKey(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2))] = reader.GetInt32(3);
                }
            }

            var started = runs.Select(r => attempts.TryGetValue(r, out var a) ? a : throw new ResultStoreException($"run {r} is not planned in the cluster database {database.Display}")).ToList();
            tx.Commit();
            return (IReadOnlyList<int>)started;
        }, cancellation, onRetry);
    }

    public void ReturnAttempt(RunKey run) => database.WithRetry(
        connection => Execute(connection, null, "UPDATE runs SET attempts = greatest(attempts - 1, 0) WHERE batch_id = $1 AND position = $2 AND replication = $3 AND state = 'pending'", run.Batch, run.Position, run.Replication),
        cancellation,
        onRetry);

    public SaveOutcome SaveResult(RunKey run, RunRecord record, RunExecutor silo, double wallMilliseconds, DateTimeOffset finishedUtc)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(silo);
        var names = record.Kpis.Select(k => k.Name).ToArray();
        var values = record.Kpis.Select(k => k.Value).ToArray();
        var gates = record.DailyQueues.Select(q => q.Gate).ToArray();

        // The series are stored end to end in one bytea and cut back into equal parts (DailyQueues): series of
        // different lengths would be read back cut in the wrong places, so they are refused rather than garbled.
        // The kernel gives every gate one value per day of the window, so they are always equal.
        if (record.DailyQueues.Select(q => q.MeanQueue.Length).Distinct().Count() > 1)
        {
            throw new ArgumentException(
                $"run {run}: daily queue series of different lengths ({string.Join(", ", record.DailyQueues.Select(q => $"{q.Gate}: {q.MeanQueue.Length}"))}): the cluster store keeps series of one length",
                nameof(record));
        }

        var queues = new List<byte>();
        foreach (var (_, series) in record.DailyQueues)
        {
            queues.AddRange(MemoryMarshal.AsBytes(series.AsSpan()).ToArray());
        }

        var queueBytes = queues.ToArray();
        return database.WithRetry(connection =>
        {
            using var tx = connection.BeginTransaction();
            using (var insert = new NpgsqlCommand(
                """
                INSERT INTO results (batch_id, position, replication, kpi_names, kpi_values, queue_gates, queue_values, digest)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """,
                connection,
                tx))
            {
                foreach (var value in new object[] { run.Batch, run.Position, run.Replication, names, values, gates, queueBytes, record.Digest })
                {
                    insert.Parameters.AddWithValue(value);
                }

                if (insert.ExecuteNonQuery() == 0)
                {
                    using var existing = new NpgsqlCommand("SELECT digest FROM results WHERE batch_id = $1 AND position = $2 AND replication = $3", connection, tx);
                    existing.Parameters.AddWithValue(run.Batch);
                    existing.Parameters.AddWithValue(run.Position);
                    existing.Parameters.AddWithValue(run.Replication);
                    var stored = existing.ExecuteScalar() as byte[] ?? [];
                    tx.Commit();
                    return stored.AsSpan().SequenceEqual(record.Digest) ? SaveOutcome.IdenticalDuplicate : SaveOutcome.ConflictingDuplicate;
                }
            }

            var planned = Execute(
                connection,
                tx,
                "UPDATE runs SET state = 'done', finished_at = $4, wall_ms = $5, conserved = $6, silo = $7, silo_address = $8 WHERE batch_id = $1 AND position = $2 AND replication = $3",
                run.Batch,
                run.Position,
                run.Replication,
                finishedUtc.ToUniversalTime(),
                wallMilliseconds,
                record.Conserved,
                silo.SiloName,
                silo.SiloAddress);
            if (planned == 0)
            {
                // results has no foreign key to runs: without this check the result of an unplanned run would be
                // stored (and read back by FinishedRuns) while no run is done. The transaction rolls back.
                throw new ResultStoreException($"run {run} is not planned in the cluster database {database.Display}");
            }

            Execute(connection, tx, "SELECT pg_notify('tradesim_runs', $1::text)", run.Batch.ToString(CultureInfo.InvariantCulture));
            tx.Commit();
            return SaveOutcome.Stored;
        }, cancellation, onRetry);
    }

    public void RecordFailure(RunKey run, string error, bool giveUp) => database.WithRetry(
        connection => Execute(
            connection,
            null,
            "UPDATE runs SET last_error = $4, state = CASE WHEN $5 THEN 'failed' ELSE state END WHERE batch_id = $1 AND position = $2 AND replication = $3 AND state <> 'done'",
            run.Batch,
            run.Position,
            run.Replication,
            error,
            giveUp),
        cancellation,
        onRetry);

    public IReadOnlyList<StoredRun> FinishedRuns(long batchId, int position, int firstReplication, int replications) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            "SELECT position, replication, kpi_names, kpi_values FROM results WHERE batch_id = $1 AND position = $2 AND replication >= $3 AND replication < $4 ORDER BY replication", connection);
        AddPage(select, batchId, position, firstReplication, replications);
        using var reader = select.ExecuteReader();
        var runs = new List<StoredRun>();
        while (reader.Read())
        {
            var names = reader.GetFieldValue<string[]>(2);
            var values = reader.GetFieldValue<double[]>(3);
            var kpis = new Dictionary<string, double>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                // NaN: the run had no data for this KPI; it is left out, never read as 0.
                if (!double.IsNaN(values[i]))
                {
                    kpis[names[i]] = values[i];
                }
            }

            runs.Add(new StoredRun(reader.GetInt32(0), reader.GetInt32(1), kpis));
        }

        return (IReadOnlyList<StoredRun>)runs;
    }, cancellation, onRetry);

    public IReadOnlyList<string> KpiNames(long batchId, int position) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT kpi_names FROM results WHERE batch_id = $1 AND position = $2 ORDER BY replication LIMIT 1", connection);
        select.Parameters.AddWithValue(batchId);
        select.Parameters.AddWithValue(position);
        return select.ExecuteScalar() is string[] names ? names : (IReadOnlyList<string>)[];
    }, cancellation, onRetry);

    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId, int position, int firstReplication, int replications) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            "SELECT position, replication, queue_gates, queue_values FROM results WHERE batch_id = $1 AND position = $2 AND replication >= $3 AND replication < $4 ORDER BY replication", connection);
        AddPage(select, batchId, position, firstReplication, replications);
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
    }, cancellation, onRetry);

    /// <summary>One scenario's replications from <paramref name="first"/>, <paramref name="count"/> of them (the end kept within a 64-bit integer).</summary>
    private static void AddPage(NpgsqlCommand command, long batchId, int position, int first, int count)
    {
        command.Parameters.AddWithValue(batchId);
        command.Parameters.AddWithValue(position);
        command.Parameters.AddWithValue(first);
        command.Parameters.AddWithValue((long)first + count);
    }

    public long UnconservedRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT count(*) FROM runs WHERE batch_id = $1 AND state = 'done' AND conserved = false", connection);
        select.Parameters.AddWithValue(batchId);
        return (long)select.ExecuteScalar()!;
    }, cancellation, onRetry);

    public IReadOnlyList<FailedRun> FailedRuns(long batchId) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT position, replication, attempts, coalesce(last_error, '') FROM runs WHERE batch_id = $1 AND state = 'failed' ORDER BY position, replication", connection);
        select.Parameters.AddWithValue(batchId);
        using var reader = select.ExecuteReader();
        var failed = new List<FailedRun>();
        while (reader.Read())
        {
            failed.Add(new FailedRun(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3)));
        }

        return (IReadOnlyList<FailedRun>)failed;
    }, cancellation, onRetry);

    /// <summary>Every batch (or one) with its counts of runs pending, done and failed.</summary>
    public IReadOnlyList<BatchCounts> Batches(long? only = null) => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand(
            """
            SELECT b.id, b.status, b.created_at, (SELECT count(*) FROM batch_scenarios s WHERE s.batch_id = b.id), b.planned_replications,
                   count(*) FILTER (WHERE r.state = 'pending'), count(*) FILTER (WHERE r.state = 'done'), count(*) FILTER (WHERE r.state = 'failed')
            FROM batches b LEFT JOIN runs r ON r.batch_id = b.id
            WHERE $1::bigint IS NULL OR b.id = $1
            GROUP BY b.id ORDER BY b.id
            """,
            connection);
        select.Parameters.Add(new NpgsqlParameter { Value = only is { } id ? id : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        using var reader = select.ExecuteReader();
        var batches = new List<BatchCounts>();
        while (reader.Read())
        {
            batches.Add(new BatchCounts(
                reader.GetInt64(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), (int)reader.GetInt64(3), reader.GetInt32(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return (IReadOnlyList<BatchCounts>)batches;
    }, cancellation, onRetry);

    /// <summary>Runs done per silo, by its Orleans address (ip:port@generation: one per process start).</summary>
    public IReadOnlyDictionary<string, long> RunsDoneBySilo() => database.WithRetry(connection =>
    {
        using var select = new NpgsqlCommand("SELECT silo_address, count(*) FROM runs WHERE state = 'done' AND silo_address IS NOT NULL GROUP BY silo_address", connection);
        using var reader = select.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return (IReadOnlyDictionary<string, long>)counts;
    }, cancellation, onRetry);

    private static void PlanRuns(NpgsqlConnection connection, NpgsqlTransaction tx, long batchId, int scenarios, int replications) =>
        Execute(
            connection,
            tx,
            """
            INSERT INTO runs (batch_id, position, replication)
            SELECT $1, p, r FROM generate_series(0, $2 - 1) p CROSS JOIN generate_series(0, $3 - 1) r
            ON CONFLICT DO NOTHING
            """,
            batchId,
            scenarios,
            replications);

    private static long? FindByFingerprint(NpgsqlConnection connection, NpgsqlTransaction? tx, string fingerprint)
    {
        using var find = new NpgsqlCommand("SELECT id FROM batches WHERE fingerprint = $1", connection, tx);
        find.Parameters.AddWithValue(fingerprint);
        return find.ExecuteScalar() as long?;
    }

    private static List<long> ReadIds(NpgsqlCommand select)
    {
        using var reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object[] values)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return command.ExecuteNonQuery();
    }
}
