using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TradeSim.Grains.Abstractions;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Silo.Storage;

/// <summary>
/// The embedded result store: batches in a SQLite file, with the batch's options and engine version, every scenario's
/// resolved text and hash, the planned runs with their attempts and, per finished run, its KPIs, daily queue series
/// and result digest - enough to report any number again and to reproduce it. Each finished run is one transaction,
/// so an interrupted batch loses nothing finished. One connection, used by one caller at a time (a lock): the run
/// workers, the batch grain and the client share it.
/// </summary>
public sealed class SqliteResultStore : IResultStore, IDisposable
{
    private static readonly IReadOnlyList<string> Migrations = SqlScripts.Migrations("Sqlite");

    /// <summary>The schema version this build writes and reads.</summary>
    public static int SchemaVersion => Migrations.Count;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private SqliteResultStore(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

    public string Location => Path;

    /// <summary>Opens (and creates, when <paramref name="create"/>) a store, migrating its schema to the current version.</summary>
    public static SqliteResultStore Open(string path, bool create)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!create && !File.Exists(path))
        {
            throw new ResultStoreException($"result database '{path}' does not exist: expected the --db file a batch was run with (default ./tradesim.db)");
        }

        if (Directory.Exists(path))
        {
            throw new ResultStoreException($"result database '{path}' is a directory: expected a SQLite file");
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite, Pooling = false };
        try
        {
            return OpenWith(path, builder.ToString(), store => store.Migrate(create));
        }
        catch (ResultStoreException e) when (!create && e.InnerException is SqliteException { SqliteErrorCode: 8 or 14 })
        {
            // A database that cannot be written where it lies (a read-only file in a read-only folder, where SQLite
            // cannot make its WAL index): opened for reading only, as an immutable file, when it needs no upgrade.
            var readOnly = new SqliteConnectionStringBuilder { DataSource = new Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri + "?immutable=1", Mode = SqliteOpenMode.ReadOnly, Pooling = false };
            return OpenWith(path, readOnly.ToString(), store => store.CheckReadOnly());
        }
    }

    private static SqliteResultStore OpenWith(string path, string connectionString, Action<SqliteResultStore> prepare)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var store = new SqliteResultStore(path, connection);
            prepare(store);
            return store;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new ResultStoreException($"result database '{path}': {Describe(e)}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A database opened for reading only: ours, and of the current schema (it cannot be upgraded).</summary>
    private void CheckReadOnly()
    {
        var applicationId = Convert.ToInt64(Scalar("PRAGMA application_id"), CultureInfo.InvariantCulture);
        var version = Scalar("SELECT max(version) FROM schema_version") is long v ? v : 0;
        if (applicationId != ApplicationId || version != SchemaVersion)
        {
            throw new ResultStoreException($"result database '{Path}' is read-only and not of this tradesim's schema (version {version}, application id 0x{applicationId:x8}): open it once where it can be written, to upgrade it");
        }
    }

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "not a SQLite database: expected a file written by `tradesim batch` (or a new path)",
        14 => "cannot open the file: expected a writable path in an existing folder",
        8 => "the file is read-only: expected a writable SQLite file",
        _ => e.Message,
    };

    /// <summary>SQLite's application id of a TradeSim result database: "TRDS", in the file's header.</summary>
    public const int ApplicationId = 0x54524453;

    /// <summary>The tables of our schema, every version: a database written before the application id is recognised by them.</summary>
    private static readonly string[] OurTables = ["schema_version", "batches", "scenario_texts", "batch_scenarios", "runs", "kpis", "daily_queues"];

    private void Migrate(bool create)
    {
        // Everything is checked before the first write (switching to WAL rewrites the header), so a file that is not
        // ours is refused untouched: ours carries our application id, or (written before the id) exactly our tables.
        var applicationId = Convert.ToInt64(Scalar("PRAGMA application_id"), CultureInfo.InvariantCulture);
        var objects = ObjectNames();
        var version = 0;
        if (applicationId != ApplicationId && applicationId != 0)
        {
            throw new ResultStoreException($"result database '{Path}' belongs to another application (SQLite application id 0x{applicationId:x8}): expected a TradeSim result database or a new path");
        }

        if (objects.Count == 0)
        {
            if (applicationId == ApplicationId || !create)
            {
                throw new ResultStoreException($"result database '{Path}' holds no TradeSim results (it is empty): expected the --db file a batch was run with");
            }
        }
        else
        {
            if (applicationId == 0 && !objects.All(o => o.Type == "table" ? OurTables.Contains(o.Name) : o.Name.StartsWith("sqlite_autoindex_", StringComparison.Ordinal)))
            {
                throw new ResultStoreException($"result database '{Path}' holds other tables, views or triggers: expected a TradeSim result database or a new path");
            }

            if (!objects.Any(o => o is { Type: "table", Name: "schema_version" }))
            {
                throw new ResultStoreException($"result database '{Path}' has no schema version: expected a TradeSim result database or a new path");
            }

            version = Scalar("SELECT max(version) FROM schema_version") is long v ? (int)Math.Clamp(v, int.MinValue, int.MaxValue) : 0;
            if (version < 1 || version > SchemaVersion)
            {
                throw new ResultStoreException($"result database '{Path}' has schema version {version}: this tradesim reads versions 1 to {SchemaVersion}");
            }
        }

        UseWriteAheadLog();
        if (version == SchemaVersion && applicationId == ApplicationId)
        {
            return;
        }

        using var tx = _connection.BeginTransaction();
        for (var v = version; v < SchemaVersion; v++)
        {
            Execute(Migrations[v], tx);
        }

        Execute($"PRAGMA application_id = {ApplicationId}", tx);
        tx.Commit();
    }

    private List<(string Type, string Name)> ObjectNames()
    {
        using var command = Command("SELECT type, name FROM sqlite_master");
        using var reader = command.ExecuteReader();
        var names = new List<(string, string)>();
        while (reader.Read())
        {
            names.Add((reader.GetString(0), reader.GetString(1)));
        }

        return names;
    }

    /// <summary>WAL lets `compare` and `export` read while a batch writes; NORMAL sync keeps each run's commit cheap and still atomic.</summary>
    private void UseWriteAheadLog()
    {
        Execute("PRAGMA journal_mode = WAL");
        Execute("PRAGMA synchronous = NORMAL");
        Execute("PRAGMA foreign_keys = ON");
    }

    public (long Id, bool Created) CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var scope = _gate.EnterScope();
        using var tx = _connection.BeginTransaction();
        using var insert = Command(
            """
            INSERT INTO batches (created_utc, engine_version, seed, baseline_position, min_replications, max_replications, precision, precision_kpis, precision_absolute, planned_replications, options_json, status, max_attempts)
            VALUES ($created, $engine, $seed, $baseline, $min, $max, $precision, $precisionKpis, $precisionAbsolute, $planned, $options, $status, $attempts) RETURNING id
            """,
            tx);
        insert.Parameters.AddWithValue("$created", createdUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$engine", EngineVersion.Current);
        insert.Parameters.AddWithValue("$seed", spec.Seed.ToString(CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$baseline", spec.BaselinePosition);
        insert.Parameters.AddWithValue("$min", spec.Policy.MinReplications);
        insert.Parameters.AddWithValue("$max", spec.Policy.MaxReplications);
        insert.Parameters.AddWithValue("$precision", spec.Policy.Precision is { } p ? p : DBNull.Value);
        insert.Parameters.AddWithValue("$precisionKpis", JsonSerializer.Serialize(spec.Policy.PrecisionKpis));
        insert.Parameters.AddWithValue("$precisionAbsolute", spec.Policy.AbsoluteTolerance);
        insert.Parameters.AddWithValue("$planned", plannedReplications);
        insert.Parameters.AddWithValue("$options", JsonSerializer.Serialize(spec.Options));
        insert.Parameters.AddWithValue("$status", BatchStatus.Running);
        insert.Parameters.AddWithValue("$attempts", BatchSpec.DefaultMaxAttempts);
        var id = (long)insert.ExecuteScalar()!;
        foreach (var s in spec.Scenarios)
        {
            using var text = Command("INSERT OR IGNORE INTO scenario_texts (hash, layers_json) VALUES ($hash, $layers)", tx);
            text.Parameters.AddWithValue("$hash", s.Hash);
            text.Parameters.AddWithValue("$layers", ScenarioText.ToJson(s.Layers));
            text.ExecuteNonQuery();
            using var scenario = Command("INSERT INTO batch_scenarios (batch_id, position, name, hash, entities_json) VALUES ($batch, $position, $name, $hash, $entities)", tx);
            scenario.Parameters.AddWithValue("$batch", id);
            scenario.Parameters.AddWithValue("$position", s.Position);
            scenario.Parameters.AddWithValue("$name", s.Name);
            scenario.Parameters.AddWithValue("$hash", s.Hash);
            scenario.Parameters.AddWithValue("$entities", s.Entities.ToJson());
            scenario.ExecuteNonQuery();
        }

        PlanRuns(id, spec.Scenarios.Count, plannedReplications, tx);
        tx.Commit();
        return (id, true);
    }

    public void PlanReplications(long batchId, int replications)
    {
        var scenarios = LoadBatch(batchId).Spec.Scenarios.Count;
        using var scope = _gate.EnterScope();
        using var tx = _connection.BeginTransaction();
        PlanRuns(batchId, scenarios, replications, tx);
        using var update = Command("UPDATE batches SET planned_replications = max(planned_replications, $n) WHERE id = $id", tx);
        update.Parameters.AddWithValue("$n", replications);
        update.Parameters.AddWithValue("$id", batchId);
        update.ExecuteNonQuery();
        tx.Commit();
    }

    private void PlanRuns(long batchId, int scenarios, int replications, SqliteTransaction tx)
    {
        using var plan = Command("INSERT OR IGNORE INTO runs (batch_id, position, replication, status) VALUES ($batch, $position, $replication, 'pending')", tx);
        var position = plan.Parameters.Add("$position", SqliteType.Integer);
        var replication = plan.Parameters.Add("$replication", SqliteType.Integer);
        plan.Parameters.AddWithValue("$batch", batchId);
        for (var r = 0; r < replications; r++)
        {
            for (var s = 0; s < scenarios; s++)
            {
                position.Value = s;
                replication.Value = r;
                plan.ExecuteNonQuery();
            }
        }
    }

    public void SetStatus(long batchId, string status)
    {
        using var scope = _gate.EnterScope();
        using var update = Command("UPDATE batches SET status = $status WHERE id = $id");
        update.Parameters.AddWithValue("$status", status);
        update.Parameters.AddWithValue("$id", batchId);
        update.ExecuteNonQuery();
    }

    public IReadOnlyList<long> RunningBatches(string engineVersion)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT id FROM batches WHERE status = 'running' AND engine_version = $engine ORDER BY id");
        select.Parameters.AddWithValue("$engine", engineVersion);
        return ReadIds(select);
    }

    public IReadOnlyList<ScenarioSource> ScenarioLayers(string hash)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT layers_json FROM scenario_texts WHERE hash = $hash");
        select.Parameters.AddWithValue("$hash", hash);
        return select.ExecuteScalar() is string json
            ? ScenarioText.FromJson(json)
            : throw new ResultStoreException($"scenario {hash} is not in '{Path}'");
    }

    public IReadOnlyList<RunState> RunStates(long batchId)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT position, replication, status, attempts, last_error FROM runs WHERE batch_id = $id ORDER BY replication, position");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<RunState>();
        while (reader.Read())
        {
            runs.Add(new RunState(reader.GetInt32(0), reader.GetInt32(1), ParseState(reader.GetString(2)), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return runs;
    }

    public IReadOnlyList<int> StartAttempts(IReadOnlyList<RunKey> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        using var scope = _gate.EnterScope();
        using var tx = _connection.BeginTransaction();
        using var update = Command("UPDATE runs SET attempts = attempts + 1 WHERE batch_id = $batch AND position = $position AND replication = $replication RETURNING attempts", tx);
        var batch = update.Parameters.Add("$batch", SqliteType.Integer);
        var position = update.Parameters.Add("$position", SqliteType.Integer);
        var replication = update.Parameters.Add("$replication", SqliteType.Integer);
        var attempts = new int[runs.Count];
        for (var i = 0; i < runs.Count; i++)
        {
            (batch.Value, position.Value, replication.Value) = (runs[i].Batch, runs[i].Position, runs[i].Replication);
            attempts[i] = Convert.ToInt32(update.ExecuteScalar() ?? throw new ResultStoreException($"run {runs[i]} is not planned in '{Path}'"), CultureInfo.InvariantCulture);
        }

        tx.Commit();
        return attempts;
    }

    public void ReturnAttempt(RunKey run)
    {
        using var scope = _gate.EnterScope();
        using var update = Command("UPDATE runs SET attempts = max(attempts - 1, 0) WHERE batch_id = $batch AND position = $position AND replication = $replication AND status = 'pending'");
        AddKey(update, run);
        update.ExecuteNonQuery();
    }

    public SaveOutcome SaveResult(RunKey run, RunRecord record, RunExecutor silo, double wallMilliseconds, DateTimeOffset finishedUtc)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(silo);
        using var scope = _gate.EnterScope();
        using var tx = _connection.BeginTransaction();
        using (var existing = Command("SELECT status, digest FROM runs WHERE batch_id = $batch AND position = $position AND replication = $replication", tx))
        {
            AddKey(existing, run);
            using var reader = existing.ExecuteReader();
            if (!reader.Read())
            {
                throw new ResultStoreException($"run {run} is not planned in '{Path}'");
            }

            if (reader.GetString(0) == "done")
            {
                var stored = reader.IsDBNull(1) ? [] : (byte[])reader.GetValue(1);
                return stored.AsSpan().SequenceEqual(record.Digest) ? SaveOutcome.IdenticalDuplicate : SaveOutcome.ConflictingDuplicate;
            }
        }

        using (var done = Command(
            """
            UPDATE runs SET status = 'done', finished_utc = $finished, wall_ms = $wall, conserved = $conserved, silo = $silo, silo_address = $address, digest = $digest
            WHERE batch_id = $batch AND position = $position AND replication = $replication
            """,
            tx))
        {
            AddKey(done, run);
            done.Parameters.AddWithValue("$finished", finishedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            done.Parameters.AddWithValue("$wall", wallMilliseconds);
            done.Parameters.AddWithValue("$conserved", record.Conserved ? 1 : 0);
            done.Parameters.AddWithValue("$silo", silo.SiloName);
            done.Parameters.AddWithValue("$address", silo.SiloAddress);
            done.Parameters.AddWithValue("$digest", record.Digest);
            done.ExecuteNonQuery();
        }

        using (var insert = Command("INSERT INTO kpis (batch_id, position, replication, ordinal, kpi, value) VALUES ($batch, $position, $replication, $ordinal, $kpi, $value)", tx))
        {
            AddKey(insert, run);
            var ordinal = insert.Parameters.Add("$ordinal", SqliteType.Integer);
            var name = insert.Parameters.Add("$kpi", SqliteType.Text);
            var value = insert.Parameters.Add("$value", SqliteType.Real);
            for (var i = 0; i < record.Kpis.Count; i++)
            {
                ordinal.Value = i;
                name.Value = record.Kpis[i].Name;
                value.Value = double.IsNaN(record.Kpis[i].Value) ? DBNull.Value : record.Kpis[i].Value;
                insert.ExecuteNonQuery();
            }
        }

        using (var insert = Command("INSERT INTO daily_queues (batch_id, position, replication, gate, mean_queue) VALUES ($batch, $position, $replication, $gate, $values)", tx))
        {
            AddKey(insert, run);
            var gate = insert.Parameters.Add("$gate", SqliteType.Text);
            var values = insert.Parameters.Add("$values", SqliteType.Blob);
            foreach (var (g, series) in record.DailyQueues)
            {
                gate.Value = g;
                values.Value = MemoryMarshal.AsBytes(series.AsSpan()).ToArray();
                insert.ExecuteNonQuery();
            }
        }

        tx.Commit();
        return SaveOutcome.Stored;
    }

    public void RecordFailure(RunKey run, string error, bool giveUp)
    {
        using var scope = _gate.EnterScope();
        using var update = Command(
            "UPDATE runs SET last_error = $error, status = CASE WHEN $giveUp THEN 'failed' ELSE status END WHERE batch_id = $batch AND position = $position AND replication = $replication AND status <> 'done'");
        AddKey(update, run);
        update.Parameters.AddWithValue("$error", error);
        update.Parameters.AddWithValue("$giveUp", giveUp);
        update.ExecuteNonQuery();
    }

    public BatchRecord LoadBatch(long batchId)
    {
        using var scope = _gate.EnterScope();
        using var select = Command(
            "SELECT created_utc, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status, max_attempts, precision_kpis, precision_absolute FROM batches WHERE id = $id");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            reader.Close();
            var known = BatchIds();
            throw new ResultStoreException(
                $"batch {batchId} is not in '{Path}': expected one of {(known.Count == 0 ? "(none: the database holds no batches)" : string.Join(", ", known))}");
        }

        var created = DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
        var engine = reader.GetString(1);
        var seed = ulong.Parse(reader.GetString(2), CultureInfo.InvariantCulture);
        var baseline = reader.GetInt32(3);
        var policy = new ReplicationPolicy(reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetDouble(6))
        {
            PrecisionKpis = JsonSerializer.Deserialize<List<string>>(reader.GetString(11)) ?? [],
            AbsoluteTolerance = reader.GetDouble(12),
        };
        var planned = reader.GetInt32(7);
        var options = JsonSerializer.Deserialize<List<string>>(reader.GetString(8)) ?? [];
        var status = reader.GetString(9);
        var maxAttempts = reader.GetInt32(10);
        reader.Close();
        var spec = new BatchSpec(LoadScenarios(batchId), baseline, seed, policy, options);
        return new BatchRecord(batchId, created, engine, status, spec, planned, maxAttempts);
    }

    private List<BatchScenario> LoadScenarios(long batchId)
    {
        using var select = Command(
            "SELECT s.position, s.name, t.layers_json, s.entities_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash WHERE s.batch_id = $id ORDER BY s.position");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var scenarios = new List<BatchScenario>();
        while (reader.Read())
        {
            // A batch stored before version 3 has no entities: they are taken from its text when first asked for.
            var scenario = new BatchScenario(reader.GetInt32(0), reader.GetString(1), ScenarioText.FromJson(reader.GetString(2)));
            scenarios.Add(reader.IsDBNull(3) ? scenario : scenario with { Entities = ScenarioEntities.FromJson(reader.GetString(3)) });
        }

        return scenarios;
    }

    /// <summary>Every stored batch's id, in order.</summary>
    public IReadOnlyList<long> BatchIds()
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT id FROM batches ORDER BY id");
        return ReadIds(select);
    }

    public IReadOnlyList<StoredRun> FinishedRuns(long batchId, int position, int firstReplication, int replications)
    {
        using var scope = _gate.EnterScope();
        using var select = Command(
            """
            SELECT k.position, k.replication, k.kpi, k.value FROM kpis k
            JOIN runs r ON r.batch_id = k.batch_id AND r.position = k.position AND r.replication = k.replication
            WHERE k.batch_id = $id AND k.position = $position AND k.replication >= $first AND k.replication < $end AND r.status = 'done'
            ORDER BY k.replication, k.ordinal
            """);
        AddPage(select, batchId, position, firstReplication, replications);
        using var reader = select.ExecuteReader();
        var runs = new List<StoredRun>();
        Dictionary<string, double>? current = null;
        var replication = -1;
        while (reader.Read())
        {
            var r = reader.GetInt32(1);
            if (current is null || r != replication)
            {
                current = new Dictionary<string, double>(StringComparer.Ordinal);
                replication = r;
                runs.Add(new StoredRun(reader.GetInt32(0), r, current));
            }

            // NULL: the run had no data for this KPI; it is left out, never read as 0.
            if (!reader.IsDBNull(3))
            {
                current[reader.GetString(2)] = reader.GetDouble(3);
            }
        }

        return runs;
    }

    public IReadOnlyList<string> KpiNames(long batchId, int position)
    {
        using var scope = _gate.EnterScope();
        using var select = Command(
            "SELECT kpi FROM kpis WHERE batch_id = $id AND position = $position AND replication = (SELECT min(replication) FROM runs WHERE batch_id = $id AND position = $position AND status = 'done') ORDER BY ordinal");
        select.Parameters.AddWithValue("$id", batchId);
        select.Parameters.AddWithValue("$position", position);
        using var reader = select.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId, int position, int firstReplication, int replications)
    {
        using var scope = _gate.EnterScope();
        using var select = Command(
            """
            SELECT d.position, d.replication, d.gate, d.mean_queue FROM daily_queues d
            JOIN runs r ON r.batch_id = d.batch_id AND r.position = d.position AND r.replication = d.replication
            WHERE d.batch_id = $id AND d.position = $position AND d.replication >= $first AND d.replication < $end AND r.status = 'done'
            ORDER BY d.replication, d.gate
            """);
        AddPage(select, batchId, position, firstReplication, replications);
        using var reader = select.ExecuteReader();
        var series = new List<(int, int, string, float[])>();
        while (reader.Read())
        {
            var bytes = (byte[])reader.GetValue(3);
            series.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), MemoryMarshal.Cast<byte, float>(bytes).ToArray()));
        }

        return series;
    }

    /// <summary>One scenario's replications from <paramref name="first"/>, <paramref name="count"/> of them (the end kept within a 64-bit integer).</summary>
    private static void AddPage(SqliteCommand command, long batchId, int position, int first, int count)
    {
        command.Parameters.AddWithValue("$id", batchId);
        command.Parameters.AddWithValue("$position", position);
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$end", (long)first + count);
    }

    public long UnconservedRuns(long batchId)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT count(*) FROM runs WHERE batch_id = $id AND status = 'done' AND conserved = 0");
        select.Parameters.AddWithValue("$id", batchId);
        return (long)select.ExecuteScalar()!;
    }

    public IReadOnlyList<FailedRun> FailedRuns(long batchId)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT position, replication, attempts, coalesce(last_error, '') FROM runs WHERE batch_id = $id AND status = 'failed' ORDER BY position, replication");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var failed = new List<FailedRun>();
        while (reader.Read())
        {
            failed.Add(new FailedRun(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3)));
        }

        return failed;
    }

    /// <summary>Wall-clock milliseconds of a batch's finished runs (telemetry: never part of a result).</summary>
    public double TotalWallMilliseconds(long batchId)
    {
        using var scope = _gate.EnterScope();
        using var select = Command("SELECT coalesce(sum(wall_ms), 0) FROM runs WHERE batch_id = $id AND status = 'done'");
        select.Parameters.AddWithValue("$id", batchId);
        return Convert.ToDouble(select.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        using var scope = _gate.EnterScope();
        _connection.Dispose();
    }

    internal static StoredRunState ParseState(string state) => state switch
    {
        "done" => StoredRunState.Done,
        "failed" => StoredRunState.Failed,
        _ => StoredRunState.Pending,
    };

    private static void AddKey(SqliteCommand command, RunKey run)
    {
        command.Parameters.AddWithValue("$batch", run.Batch);
        command.Parameters.AddWithValue("$position", run.Position);
        command.Parameters.AddWithValue("$replication", run.Replication);
    }

    private static List<long> ReadIds(SqliteCommand select)
    {
        using var reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var command = Command(sql, tx);
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar();
    }
}
