using TradeSim.Kernel;
using Microsoft.Data.Sqlite;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Storage;
using static TradeSim.Silo.Tests.Support.StoreData;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>
/// What only the embedded store does: its file (schema version, migration from version 1, WAL, reopening) and
/// refusing files it does not own, untouched; and that it creates a batch every time it is asked.
/// </summary>
public sealed class SqliteResultStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tradesim-store-tests-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Open_NewFile_RecordsTheCurrentSchemaVersion_InWalMode()
    {
        var path = NewPath();

        using (SqliteResultStore.Open(path, create: true))
        {
        }

        Assert.Equal(3, SqliteResultStore.SchemaVersion);
        Assert.Equal(3L, Query(path, "SELECT version FROM schema_version"));
        Assert.Equal(1L, Query(path, "SELECT count(*) FROM schema_version"));
        Assert.Equal("wal", Query(path, "PRAGMA journal_mode"));
    }

    [Fact]
    public void Open_ExistingStore_ReopensWithTheBatchAsSaved()
    {
        var path = NewPath();
        var spec = Spec(seed: ulong.MaxValue, policy: new ReplicationPolicy(5, 200, 0.02));
        long id;
        using (var store = SqliteResultStore.Open(path, create: true))
        {
            id = store.CreateBatch(spec, 5, Created).Id;
            store.StartAttempts([Key(id, 1, 0)]);
            Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(id, 1, 0), Record(), SiloA, 12.5, Created));
        }

        using (var reopened = SqliteResultStore.Open(path, create: false))
        {
            var batch = reopened.LoadBatch(id);
            Assert.Equal((ulong.MaxValue, spec.Policy, 5), (batch.Spec.Seed, batch.Spec.Policy, batch.PlannedReplications));
            Assert.Equal(spec.Scenarios.Select(s => s.Hash), batch.Spec.Scenarios.Select(s => s.Hash));
            var run = Assert.Single(reopened.AllFinishedRuns(id));
            Assert.Equal((1, 0, 10.0), (run.Position, run.Replication, run.Kpis["gate.a.trucks"]));
            Assert.Equal(SaveOutcome.IdenticalDuplicate, reopened.SaveResult(Key(id, 1, 0), Record(), SiloB, 1, Created));
            reopened.SetStatus(id, BatchStatus.Complete);
        }

        using var third = SqliteResultStore.Open(path, create: true);
        Assert.Equal(BatchStatus.Complete, third.LoadBatch(id).Status);
        Assert.Equal([id], third.BatchIds());
        Assert.Equal(3L, Query(path, "SELECT version FROM schema_version"));
    }

    [Fact]
    public void CreateBatch_TheSameBatchAgain_CreatesAnother()
    {
        // The embedded store has no fingerprint: `tradesim batch` run twice makes two batches (the cluster store finds the first).
        using var store = SqliteResultStore.Open(NewPath(), create: true);

        var first = store.CreateBatch(Spec(), 1, Created);
        var second = store.CreateBatch(Spec(), 1, Created);

        Assert.True(first.Created && second.Created, "the embedded store did not create both batches");
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal([first.Id, second.Id], store.BatchIds());
    }

    [Fact]
    public void SaveResult_RecordsTheSiloTheWallTimeAndTheDigest()
    {
        var path = NewPath();
        using var store = SqliteResultStore.Open(path, create: true);
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 2, Created);
        var record = Record();

        store.SaveResult(Key(id, 0, 0), record, SiloA, 12.5, Created.AddMinutes(3));
        store.SaveResult(Key(id, 0, 1), Record(2), SiloB, 30, Created.AddMinutes(4));
        store.SaveResult(Key(id, 0, 0), record, SiloB, 99, Created.AddMinutes(9));

        Assert.Equal(
            $"done|silo-a|{SiloA.SiloAddress}|12.5|1|2024-05-17T08:33:15.0000000Z",
            Query(path, $"SELECT status || '|' || silo || '|' || silo_address || '|' || wall_ms || '|' || conserved || '|' || finished_utc FROM runs WHERE batch_id = {id} AND replication = 0"));
        Assert.Equal(Convert.ToHexString(record.Digest), Query(path, $"SELECT hex(digest) FROM runs WHERE batch_id = {id} AND replication = 0"));
        Assert.Equal(42.5, store.TotalWallMilliseconds(id));
    }

    [Fact]
    public void DailyQueues_SeriesOfDifferentLengths_RoundTripEachAsWritten()
    {
        // Each series is a row of its own here (the cluster store refuses series of different lengths: see PostgresResultStoreTests).
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var (id, _) = store.CreateBatch(Spec(scenarios: 1), 1, Created);

        store.SaveResult(Key(id, 0, 0), Record(Record().Kpis, [("a", [1f, 2f, 3f]), ("b", []), ("c", [4f])]), SiloA, 1, Created);

        Assert.Equal(
            [("a", new[] { 1f, 2f, 3f }), ("b", []), ("c", [4f])],
            store.AllDailyQueues(id).Select(q => (q.Gate, q.MeanQueue)));
    }

    [Fact]
    public void Open_Version1File_IsMigratedToTheCurrentVersion_KeepingItsBatchesAndResults()
    {
        var path = NewPath("from-version-1.db");
        var spec = Spec(scenarios: 2, seed: ulong.MaxValue);
        WriteVersion1File(path, spec);

        using (var store = SqliteResultStore.Open(path, create: false))
        {
            Assert.Equal(3L, Query(path, "SELECT version FROM schema_version"));
            var batch = store.LoadBatch(1);
            Assert.Equal((BatchStatus.Interrupted, 2, BatchSpec.DefaultMaxAttempts, ulong.MaxValue), (batch.Status, batch.PlannedReplications, batch.MaxAttempts, batch.Spec.Seed));
            Assert.Equal("0.1.0+version-1", batch.EngineVersion);
            Assert.Equal(spec.Scenarios.Select(s => (s.Name, s.Hash)), batch.Spec.Scenarios.Select(s => (s.Name, s.Hash)));
            Assert.Equal(
                [
                    new RunState(0, 0, StoredRunState.Done, 0, null),
                    new RunState(1, 0, StoredRunState.Pending, 0, null),
                    new RunState(0, 1, StoredRunState.Pending, 0, null),
                    new RunState(1, 1, StoredRunState.Pending, 0, null),
                ],
                store.RunStates(1));
            var run = Assert.Single(store.AllFinishedRuns(1));
            Assert.Equal([("gate.a.trucks", 42.0), ("total.trade_value_usd", 0.30000000000000004)], run.Kpis.Select(k => (k.Key, k.Value)));
            Assert.Equal([("a", new[] { 1f, 2.5f })], store.AllDailyQueues(1).Select(q => (q.Gate, q.MeanQueue)));

            // The migrated file takes the new columns: attempts, failures, the silo of a result.
            Assert.Equal([1], store.StartAttempts([Key(1, 1, 0)]));
            store.RecordFailure(Key(1, 1, 0), "boom", giveUp: true);
            Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(1, 0, 1), Record(), SiloA, 1, Created));
            Assert.Equal([new FailedRun(1, 0, 1, "boom")], store.FailedRuns(1));

            // Version 3: a KPI without data is kept as NULL and read back absent; the batch stored no entities, so
            // they come from its text; its precision policy has the defaults.
            Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(1, 1, 1), Record([new KpiValue("gate.a.trucks", 0), new KpiValue("gate.a.hours_to_cross_mean", double.NaN)]), SiloA, 1, Created));
            Assert.Equal(["gate.a.trucks"], store.AllFinishedRuns(1).Single(r => (r.Position, r.Replication) == (1, 1)).Kpis.Keys);
            Assert.Equal(DBNull.Value, Query(path, "SELECT value FROM kpis WHERE batch_id = 1 AND position = 1 AND replication = 1 AND kpi = 'gate.a.hours_to_cross_mean'"));
            Assert.Equal(spec.Scenarios[0].Entities.ToJson(), store.LoadBatch(1).Spec.Scenarios[0].Entities.ToJson());
            Assert.Empty(store.LoadBatch(1).Spec.Policy.PrecisionKpis);
            Assert.Equal(0.0, store.LoadBatch(1).Spec.Policy.AbsoluteTolerance);
        }

        using var reopened = SqliteResultStore.Open(path, create: false);
        Assert.Equal(3, reopened.AllFinishedRuns(1).Count);
    }

    [Fact]
    public void Open_NewerSchemaVersion_IsRefused_AndLeftUntouched()
    {
        var path = NewPath();
        using (SqliteResultStore.Open(path, create: true))
        {
        }

        Execute(path, "UPDATE schema_version SET version = 4");
        Execute(path, "PRAGMA wal_checkpoint(TRUNCATE)");
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("schema version 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads versions 1 to 3", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_SqliteFileWithOtherTables_IsRefused_AndLeftByteForByteUntouched()
    {
        var path = NewPath("other.db");
        Execute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('a'), ('b'), ('c');");
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("holds other tables", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"), "a -wal file was left beside the refused database: its connection is still open");
        Assert.False(File.Exists(path + "-shm"), "a -shm file was left beside the refused database: its connection is still open");
    }

    [Theory]
    [InlineData("versioned.db", "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1); CREATE TABLE invoices (id INTEGER PRIMARY KEY);")]
    [InlineData("views.db", "CREATE VIEW answer AS SELECT 42 AS value;")]
    [InlineData("trigger.db", "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2); CREATE TRIGGER t AFTER UPDATE ON schema_version BEGIN SELECT 1; END;")]
    [InlineData("app.db", "PRAGMA application_id = 1234; CREATE TABLE batches (id INTEGER PRIMARY KEY);")]
    public void Open_ForeignSchema_IsRefusedBeforeAnyWrite_AndLeftByteForByteUntouched(string name, string schema)
    {
        // Issue 10, item 5: a version table of ours in name only, views only, a trigger, another application's id.
        var path = NewPath(name);
        Execute(path, schema);
        var before = File.ReadAllBytes(path);

        var created = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));
        var read = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains(path, created.Message, StringComparison.Ordinal);
        Assert.Equal(created.Message, read.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public void Open_ForReading_AnEmptyFile_IsRefused_AndLeftEmpty()
    {
        // `compare` and `export` open for reading: an empty file is not given our schema.
        var path = NewPath("empty.db");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("holds no TradeSim results (it is empty)", e.Message, StringComparison.Ordinal);
        Assert.Empty(File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_New_WritesOurApplicationId_AndADatabaseFromBeforeTheId_IsRecognisedByItsTables()
    {
        var path = NewPath("ours.db");
        using (SqliteResultStore.Open(path, create: true))
        {
        }

        Assert.Equal(SqliteResultStore.ApplicationId, ApplicationIdOf(path));

        // As a database written before application ids: id 0, our tables.
        Execute(path, "PRAGMA application_id = 0");
        Assert.Equal(0, ApplicationIdOf(path));
        using (SqliteResultStore.Open(path, create: false))
        {
        }

        Assert.Equal(SqliteResultStore.ApplicationId, ApplicationIdOf(path));
    }

    [Fact]
    public void Open_ForReading_ADatabaseInAFolderNobodyCanWrite_Works_AndChangesNothing()
    {
        // Issue 10, item 5. Root ignores permissions, so the file and its folder are made immutable (chattr +i): no
        // process can write there, and SQLite cannot make the WAL index beside the database.
        var folder = Path.Combine(_directory, "sealed");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "results.db");
        long id;
        using (var store = SqliteResultStore.Open(path, create: true))
        {
            id = store.CreateBatch(Spec(), 2, Created).Id;
        }

        var before = File.ReadAllBytes(path);
        Immutable(true, path, folder);
        try
        {
            Assert.Throws<UnauthorizedAccessException>(() => File.AppendAllText(path, "x"));
            using var readOnly = SqliteResultStore.Open(path, create: false);
            Assert.Equal(2, readOnly.LoadBatch(id).PlannedReplications);
        }
        finally
        {
            Immutable(false, path, folder);
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["results.db"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    private static void Immutable(bool on, params string[] paths)
    {
        var result = TradeSim.Tests.Shared.ProcessRunner.Run("chattr", [on ? "+i" : "-i", .. paths], TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, $"chattr {(on ? "+i" : "-i")} failed (this test needs root and a file system with the immutable attribute): {result.Describe()}");
    }

    private static long ApplicationIdOf(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA application_id";
        return (long)command.ExecuteScalar()!;
    }

    [Theory]
    [InlineData("notes.db", 8192)]
    [InlineData("readme.db", 6)]
    public void Open_NotSqlite_IsRefused_AndLeftByteForByteUntouched(string name, int length)
    {
        var path = NewPath(name);
        var bytes = new byte[length];
        new Random(5).NextBytes(bytes);
        var text = "This is not a database, it is someone's notes.\n"u8;
        text[..Math.Min(length, text.Length)].CopyTo(bytes);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Open_Directory_IsRefused()
    {
        var path = Path.Combine(_directory, "a-folder.db");
        Directory.CreateDirectory(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void Open_MissingFileWithoutCreate_IsRefused_AndNoFileIsCreated()
    {
        var path = NewPath("missing.db");

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Open_MissingFolder_IsRefusedAsCannotOpen()
    {
        var path = Path.Combine(_directory, "no-such-folder", "results.db");

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("cannot open the file", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    /// <summary>
    /// A file as tradesim wrote it before runs moved to Orleans: the version-1 schema (Migrations/Sqlite/0001, the
    /// schema of that release), an interrupted batch of two scenarios and two replications, one run done with its KPIs
    /// and daily queue.
    /// </summary>
    private static void WriteVersion1File(string path, BatchSpec spec)
    {
        var script = SqlScripts.Migrations("Sqlite")[0];
        Assert.Contains("version 1", script, StringComparison.Ordinal);
        using var connection = Connect(path, SqliteOpenMode.ReadWriteCreate);
        Run(connection, script);
        Run(connection, "PRAGMA journal_mode = WAL");
        Run(
            connection,
            $"""
            INSERT INTO batches (id, created_utc, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, options_json, status)
            VALUES (1, '2024-05-17T08:30:15.0000000Z', '0.1.0+version-1', '{spec.Seed}', 0, 2, 2, NULL, 2, '["batch","a.yaml"]', 'interrupted');
            """);
        foreach (var s in spec.Scenarios)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO scenario_texts (hash, layers_json) VALUES ($hash, $json); INSERT INTO batch_scenarios VALUES (1, $position, $name, $hash);";
            insert.Parameters.AddWithValue("$hash", s.Hash);
            insert.Parameters.AddWithValue("$json", TradeSim.Grains.Runs.ScenarioText.ToJson(s.Layers));
            insert.Parameters.AddWithValue("$position", s.Position);
            insert.Parameters.AddWithValue("$name", s.Name);
            insert.ExecuteNonQuery();
        }

        Run(
            connection,
            """
            INSERT INTO runs (batch_id, position, replication, status, finished_utc, wall_ms, conserved) VALUES
                (1, 0, 0, 'done', '2024-05-17T08:31:00.0000000Z', 12.5, 1),
                (1, 1, 0, 'pending', NULL, NULL, NULL),
                (1, 0, 1, 'pending', NULL, NULL, NULL),
                (1, 1, 1, 'pending', NULL, NULL, NULL);
            INSERT INTO kpis VALUES (1, 0, 0, 0, 'gate.a.trucks', 42.0), (1, 0, 0, 1, 'total.trade_value_usd', 0.30000000000000004);
            INSERT INTO daily_queues VALUES (1, 0, 0, 'a', X'0000803F00002040');
            """);
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Execute(string path, string sql)
    {
        using var connection = Connect(path, SqliteOpenMode.ReadWriteCreate);
        Run(connection, sql);
    }

    private static object? Query(string path, string sql)
    {
        using var connection = Connect(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private string NewPath(string name = "results.db") => Path.Combine(_directory, name);
}
