using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TradeSim.Grains.Scenarios;
using TradeSim.Silo.Batches;

namespace TradeSim.Silo.Results;

/// <summary>A result store that cannot be opened or used, with a message that says which file and why.</summary>
public sealed class ResultStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The finished KPIs of one run, as read back from a store.</summary>
public sealed record StoredRun(int Position, int Replication, IReadOnlyDictionary<string, double> Kpis);

/// <summary>
/// Keeps batches in a SQLite file: the batch's options and engine version, every scenario's resolved text and hash,
/// the planned runs and, per finished run, its KPIs and daily queue series - enough to report any number again and
/// to reproduce it. Each finished run is written in one transaction, so an interrupted batch loses nothing finished.
/// Not thread-safe: one writer (the batch's collector) uses it at a time.
/// </summary>
public sealed class SqliteResultStore : IBatchStore, IDisposable
{
    public const int SchemaVersion = 1;

    private static readonly string[] Schema =
    [
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            created_utc TEXT NOT NULL,
            engine_version TEXT NOT NULL,
            seed TEXT NOT NULL,
            baseline_position INTEGER NOT NULL,
            min_replications INTEGER NOT NULL,
            max_replications INTEGER NOT NULL,
            precision REAL,
            planned_replications INTEGER NOT NULL,
            options_json TEXT NOT NULL,
            status TEXT NOT NULL)
        """,
        "CREATE TABLE scenario_texts (hash TEXT PRIMARY KEY, layers_json TEXT NOT NULL)",
        """
        CREATE TABLE batch_scenarios (
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            hash TEXT NOT NULL REFERENCES scenario_texts(hash),
            PRIMARY KEY (batch_id, position))
        """,
        """
        CREATE TABLE runs (
            batch_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            replication INTEGER NOT NULL,
            status TEXT NOT NULL,
            finished_utc TEXT,
            wall_ms REAL,
            conserved INTEGER,
            PRIMARY KEY (batch_id, position, replication),
            FOREIGN KEY (batch_id, position) REFERENCES batch_scenarios(batch_id, position))
        """,
        """
        CREATE TABLE kpis (
            batch_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            replication INTEGER NOT NULL,
            ordinal INTEGER NOT NULL,
            kpi TEXT NOT NULL,
            value REAL NOT NULL,
            PRIMARY KEY (batch_id, position, replication, ordinal)) WITHOUT ROWID
        """,
        """
        CREATE TABLE daily_queues (
            batch_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            replication INTEGER NOT NULL,
            gate TEXT NOT NULL,
            mean_queue BLOB NOT NULL,
            PRIMARY KEY (batch_id, position, replication, gate)) WITHOUT ROWID
        """,
    ];

    private readonly SqliteConnection _connection;

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
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var store = new SqliteResultStore(path, connection);
            store.Migrate();
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

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        26 => "not a SQLite database: expected a file written by `tradesim batch` (or a new path)",
        14 => "cannot open the file: expected a writable path in an existing folder",
        8 => "the file is read-only: expected a writable SQLite file",
        _ => e.Message,
    };

    private void Migrate()
    {
        // Everything is checked before the first write (switching to WAL rewrites the header), so a file that is not
        // ours is refused untouched.
        var hasVersion = Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") is long n && n > 0;
        if (!hasVersion)
        {
            if (Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'") is long tables && tables > 0)
            {
                throw new ResultStoreException($"result database '{Path}' holds other tables: expected a TradeSim result database or a new path");
            }

            UseWriteAheadLog();
            using var tx = _connection.BeginTransaction();
            foreach (var statement in Schema)
            {
                Execute(statement, tx);
            }

            Execute($"INSERT INTO schema_version (version) VALUES ({SchemaVersion})", tx);
            tx.Commit();
            return;
        }

        var version = Convert.ToInt32(Scalar("SELECT version FROM schema_version"), CultureInfo.InvariantCulture);
        if (version != SchemaVersion)
        {
            throw new ResultStoreException($"result database '{Path}' has schema version {version}: this tradesim reads version {SchemaVersion}");
        }

        UseWriteAheadLog();
    }

    /// <summary>WAL lets `compare` and `export` read while a batch writes; NORMAL sync keeps each run's commit cheap and still atomic.</summary>
    private void UseWriteAheadLog()
    {
        Execute("PRAGMA journal_mode = WAL");
        Execute("PRAGMA synchronous = NORMAL");
        Execute("PRAGMA foreign_keys = ON");
    }

    /// <summary>Records a new batch with its scenarios; returns its id.</summary>
    public long CreateBatch(BatchSpec spec, int plannedReplications, DateTimeOffset createdUtc)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var tx = _connection.BeginTransaction();
        using var insert = Command(
            """
            INSERT INTO batches (created_utc, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status)
            VALUES ($created, $engine, $seed, $baseline, $min, $max, $precision, $planned, $options, $status) RETURNING id
            """,
            tx);
        insert.Parameters.AddWithValue("$created", createdUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$engine", EngineVersion.Current);
        insert.Parameters.AddWithValue("$seed", spec.Seed.ToString(CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$baseline", spec.BaselinePosition);
        insert.Parameters.AddWithValue("$min", spec.Policy.MinReplications);
        insert.Parameters.AddWithValue("$max", spec.Policy.MaxReplications);
        insert.Parameters.AddWithValue("$precision", spec.Policy.Precision is { } p ? p : DBNull.Value);
        insert.Parameters.AddWithValue("$planned", plannedReplications);
        insert.Parameters.AddWithValue("$options", JsonSerializer.Serialize(spec.Options));
        insert.Parameters.AddWithValue("$status", BatchStatus.Running);
        var id = (long)insert.ExecuteScalar()!;
        foreach (var s in spec.Scenarios)
        {
            using var text = Command("INSERT OR IGNORE INTO scenario_texts (hash, layers_json) VALUES ($hash, $layers)", tx);
            text.Parameters.AddWithValue("$hash", s.Hash);
            text.Parameters.AddWithValue("$layers", ScenarioText.ToJson(s.Layers));
            text.ExecuteNonQuery();
            using var scenario = Command("INSERT INTO batch_scenarios (batch_id, position, name, hash) VALUES ($batch, $position, $name, $hash)", tx);
            scenario.Parameters.AddWithValue("$batch", id);
            scenario.Parameters.AddWithValue("$position", s.Position);
            scenario.Parameters.AddWithValue("$name", s.Name);
            scenario.Parameters.AddWithValue("$hash", s.Hash);
            scenario.ExecuteNonQuery();
        }

        PlanRuns(id, spec.Scenarios.Count, plannedReplications, tx);
        tx.Commit();
        return id;
    }

    /// <summary>Raises the number of replications a batch plans (precision rounds); planned runs already there stay as they are.</summary>
    public void PlanReplications(long batchId, int replications)
    {
        var batch = LoadBatch(batchId);
        using var tx = _connection.BeginTransaction();
        PlanRuns(batchId, batch.Spec.Scenarios.Count, replications, tx);
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
        using var update = Command("UPDATE batches SET status = $status WHERE id = $id");
        update.Parameters.AddWithValue("$status", status);
        update.Parameters.AddWithValue("$id", batchId);
        update.ExecuteNonQuery();
    }

    /// <summary>Writes one finished run - its KPIs, daily queues and completion - in one transaction. A run already finished is left as it is.</summary>
    public bool SaveRun(long batchId, int position, int replication, IReadOnlyList<KpiValue> kpis, IReadOnlyList<(string Gate, float[] MeanQueue)> dailyQueues, bool conserved, double wallMilliseconds, DateTimeOffset finishedUtc)
    {
        ArgumentNullException.ThrowIfNull(kpis);
        ArgumentNullException.ThrowIfNull(dailyQueues);
        using var tx = _connection.BeginTransaction();
        using var claim = Command(
            """
            UPDATE runs SET status = 'done', finished_utc = $finished, wall_ms = $wall, conserved = $conserved
            WHERE batch_id = $batch AND position = $position AND replication = $replication AND status <> 'done'
            """,
            tx);
        claim.Parameters.AddWithValue("$finished", finishedUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        claim.Parameters.AddWithValue("$wall", wallMilliseconds);
        claim.Parameters.AddWithValue("$conserved", conserved ? 1 : 0);
        claim.Parameters.AddWithValue("$batch", batchId);
        claim.Parameters.AddWithValue("$position", position);
        claim.Parameters.AddWithValue("$replication", replication);
        if (claim.ExecuteNonQuery() == 0)
        {
            return false;
        }

        using (var insert = Command("INSERT INTO kpis (batch_id, position, replication, ordinal, kpi, value) VALUES ($batch, $position, $replication, $ordinal, $kpi, $value)", tx))
        {
            insert.Parameters.AddWithValue("$batch", batchId);
            insert.Parameters.AddWithValue("$position", position);
            insert.Parameters.AddWithValue("$replication", replication);
            var ordinal = insert.Parameters.Add("$ordinal", SqliteType.Integer);
            var name = insert.Parameters.Add("$kpi", SqliteType.Text);
            var value = insert.Parameters.Add("$value", SqliteType.Real);
            for (var i = 0; i < kpis.Count; i++)
            {
                ordinal.Value = i;
                name.Value = kpis[i].Name;
                value.Value = kpis[i].Value + 0.0; // -0.0 becomes +0.0: SQLite would drop the sign of an integral REAL anyway
                insert.ExecuteNonQuery();
            }
        }

        using (var insert = Command("INSERT INTO daily_queues (batch_id, position, replication, gate, mean_queue) VALUES ($batch, $position, $replication, $gate, $values)", tx))
        {
            insert.Parameters.AddWithValue("$batch", batchId);
            insert.Parameters.AddWithValue("$position", position);
            insert.Parameters.AddWithValue("$replication", replication);
            var gate = insert.Parameters.Add("$gate", SqliteType.Text);
            var values = insert.Parameters.Add("$values", SqliteType.Blob);
            foreach (var (g, series) in dailyQueues)
            {
                gate.Value = g;
                values.Value = MemoryMarshal.AsBytes(series.AsSpan()).ToArray();
                insert.ExecuteNonQuery();
            }
        }

        tx.Commit();
        return true;
    }

    public BatchRecord LoadBatch(long batchId)
    {
        using var select = Command(
            "SELECT created_utc, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status FROM batches WHERE id = $id");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        if (!reader.Read())
        {
            var known = ListBatchIds();
            throw new ResultStoreException(
                $"batch {batchId} is not in '{Path}': expected one of {(known.Count == 0 ? "(none: the database holds no batches)" : string.Join(", ", known))}");
        }

        var created = DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
        var engine = reader.GetString(1);
        var seed = ulong.Parse(reader.GetString(2), CultureInfo.InvariantCulture);
        var baseline = reader.GetInt32(3);
        var policy = new ReplicationPolicy(reader.GetInt32(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetDouble(6));
        var planned = reader.GetInt32(7);
        var options = JsonSerializer.Deserialize<List<string>>(reader.GetString(8)) ?? [];
        var status = reader.GetString(9);
        var spec = new BatchSpec(LoadScenarios(batchId), baseline, seed, policy, options);
        return new BatchRecord(batchId, created, engine, status, spec, planned);
    }

    private List<BatchScenario> LoadScenarios(long batchId)
    {
        using var select = Command(
            "SELECT s.position, s.name, t.layers_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash WHERE s.batch_id = $id ORDER BY s.position");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var scenarios = new List<BatchScenario>();
        while (reader.Read())
        {
            var layers = ScenarioText.FromJson(reader.GetString(2));
            scenarios.Add(new BatchScenario(reader.GetInt32(0), reader.GetString(1), layers));
        }

        return scenarios;
    }

    public IReadOnlyList<long> ListBatchIds()
    {
        using var select = Command("SELECT id FROM batches ORDER BY id");
        using var reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Planned runs not yet finished, in replication-then-scenario order.</summary>
    public IReadOnlyList<(int Position, int Replication)> PendingRuns(long batchId)
    {
        using var select = Command("SELECT position, replication FROM runs WHERE batch_id = $id AND status <> 'done' ORDER BY replication, position");
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<(int, int)>();
        while (reader.Read())
        {
            runs.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return runs;
    }

    /// <summary>Finished runs with their KPIs, ordered by scenario position then replication.</summary>
    public IReadOnlyList<StoredRun> FinishedRuns(long batchId)
    {
        using var select = Command(
            """
            SELECT k.position, k.replication, k.kpi, k.value FROM kpis k
            JOIN runs r ON r.batch_id = k.batch_id AND r.position = k.position AND r.replication = k.replication
            WHERE k.batch_id = $id AND r.status = 'done'
            ORDER BY k.position, k.replication, k.ordinal
            """);
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var runs = new List<StoredRun>();
        Dictionary<string, double>? current = null;
        int position = -1, replication = -1;
        while (reader.Read())
        {
            var p = reader.GetInt32(0);
            var r = reader.GetInt32(1);
            if (current is null || p != position || r != replication)
            {
                current = new Dictionary<string, double>(StringComparer.Ordinal);
                position = p;
                replication = r;
                runs.Add(new StoredRun(p, r, current));
            }

            current[reader.GetString(2)] = reader.GetDouble(3);
        }

        return runs;
    }

    /// <summary>The KPI names of a scenario in the order its runs listed them.</summary>
    public IReadOnlyList<string> KpiNames(long batchId, int position)
    {
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

    /// <summary>Daily mean queue series of finished runs: (position, replication, gate, values), ordered.</summary>
    public IReadOnlyList<(int Position, int Replication, string Gate, float[] MeanQueue)> DailyQueues(long batchId)
    {
        using var select = Command(
            """
            SELECT d.position, d.replication, d.gate, d.mean_queue FROM daily_queues d
            JOIN runs r ON r.batch_id = d.batch_id AND r.position = d.position AND r.replication = d.replication
            WHERE d.batch_id = $id AND r.status = 'done'
            ORDER BY d.position, d.replication, d.gate
            """);
        select.Parameters.AddWithValue("$id", batchId);
        using var reader = select.ExecuteReader();
        var series = new List<(int, int, string, float[])>();
        while (reader.Read())
        {
            var bytes = (byte[])reader.GetValue(3);
            series.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), MemoryMarshal.Cast<byte, float>(bytes).ToArray()));
        }

        return series;
    }

    /// <summary>Runs that did not conserve tonnes (there should be none).</summary>
    public long UnconservedRuns(long batchId)
    {
        using var select = Command("SELECT count(*) FROM runs WHERE batch_id = $id AND status = 'done' AND conserved = 0");
        select.Parameters.AddWithValue("$id", batchId);
        return (long)select.ExecuteScalar()!;
    }

    public double TotalWallMilliseconds(long batchId)
    {
        using var select = Command("SELECT coalesce(sum(wall_ms), 0) FROM runs WHERE batch_id = $id AND status = 'done'");
        select.Parameters.AddWithValue("$id", batchId);
        return Convert.ToDouble(select.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The embedded silo runs in the client's process: a run that throws stops the batch, so none is left failed.</summary>
    public IReadOnlyList<FailedRun> FailedRuns(long batchId) => [];

    public void Dispose() => _connection.Dispose();

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
