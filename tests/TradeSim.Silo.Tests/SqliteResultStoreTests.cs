using System.Globalization;
using Microsoft.Data.Sqlite;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Batches;
using TradeSim.Silo.Results;

namespace TradeSim.Silo.Tests;

/// <summary>The SQLite result store: schema, reopening, idempotent saves, exact round trips, and refusing files it does not own.</summary>
public sealed class SqliteResultStoreTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2024, 5, 17, 8, 30, 15, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tradesim-store-tests-" + Guid.NewGuid().ToString("N"));

    public SqliteResultStoreTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private string NewPath(string name = "results.db") => Path.Combine(_directory, name);

    private static BatchSpec Spec(int scenarios = 2, ulong seed = 42, ReplicationPolicy? policy = null) => new(
        Enumerable.Range(0, scenarios)
            .Select(i => new BatchScenario(i, "scenario-" + i.ToString(CultureInfo.InvariantCulture), [new ScenarioSource("base.yaml", "name: base\n"), new ScenarioSource("layer-" + i.ToString(CultureInfo.InvariantCulture), "settings:\n  days: " + (10 + i).ToString(CultureInfo.InvariantCulture) + "\n")]))
            .ToList(),
        BaselinePosition: 0,
        seed,
        policy ?? ReplicationPolicy.Fixed(3),
        ["batch", "base.yaml", "--seed", seed.ToString(CultureInfo.InvariantCulture)]);

    private static KpiValue[] Kpis(double scale) => [new("gate.a.trucks", 10 * scale), new("gate.a.hours_to_cross_mean", 1.5 * scale), new("total.trade_value_usd", 1e6 * scale)];

    private static (string Gate, float[] MeanQueue)[] Queues(float scale) => [("a", [0.5f * scale, 1.25f * scale, 2f * scale]), ("b", [0f, 0f, 3.75f * scale])];

    private static bool Save(SqliteResultStore store, long batch, int position, int replication, double scale = 1) =>
        store.SaveRun(batch, position, replication, Kpis(scale), Queues((float)scale), conserved: true, wallMilliseconds: 12.5, Created.AddMinutes(1));

    private static object? Query(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public void Open_NewFile_RecordsTheSchemaVersion()
    {
        var path = NewPath();

        using (SqliteResultStore.Open(path, create: true))
        {
        }

        Assert.True(File.Exists(path));
        Assert.Equal(1, SqliteResultStore.SchemaVersion);
        Assert.Equal((long)SqliteResultStore.SchemaVersion, Query(path, "SELECT version FROM schema_version"));
        Assert.Equal(1L, Query(path, "SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public void Open_ExistingStore_ReopensWithTheBatchAsSaved()
    {
        var path = NewPath();
        var spec = Spec(seed: ulong.MaxValue, policy: new ReplicationPolicy(5, 200, 0.02));
        long id;
        using (var store = SqliteResultStore.Open(path, create: true))
        {
            id = store.CreateBatch(spec, 5, Created);
            Assert.True(Save(store, id, 1, 0));
        }

        using (var reopened = SqliteResultStore.Open(path, create: false))
        {
            var batch = reopened.LoadBatch(id);

            Assert.Equal(id, batch.Id);
            Assert.Equal(Created, batch.CreatedUtc);
            Assert.Equal(EngineVersion.Current, batch.EngineVersion);
            Assert.Equal(BatchStatus.Running, batch.Status);
            Assert.Equal(5, batch.PlannedReplications);
            Assert.Equal(ulong.MaxValue, batch.Spec.Seed);
            Assert.Equal(spec.Policy, batch.Spec.Policy);
            Assert.Equal(spec.Options, batch.Spec.Options);
            Assert.Equal(spec.BaselinePosition, batch.Spec.BaselinePosition);
            Assert.Equal(spec.Scenarios.Select(s => (s.Position, s.Name, s.Hash)), batch.Spec.Scenarios.Select(s => (s.Position, s.Name, s.Hash)));
            Assert.Equal(spec.Scenarios[1].Layers, batch.Spec.Scenarios[1].Layers);
            var run = Assert.Single(reopened.FinishedRuns(id));
            Assert.Equal((1, 0), (run.Position, run.Replication));

            reopened.SetStatus(id, BatchStatus.Complete);
        }

        using var third = SqliteResultStore.Open(path, create: true);
        Assert.Equal(BatchStatus.Complete, third.LoadBatch(id).Status);
        Assert.Equal([id], third.ListBatchIds());
    }

    [Fact]
    public void CreateBatch_PolicyWithoutPrecision_RoundTripsNull()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);

        var id = store.CreateBatch(Spec(policy: ReplicationPolicy.Fixed(20)), 20, Created);

        Assert.Null(store.LoadBatch(id).Spec.Policy.Precision);
        Assert.True(store.LoadBatch(id).Spec.Policy.IsFixed);
    }

    [Fact]
    public void SaveRun_SameRunTwice_KeepsTheFirstResultAndReturnsFalse()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(), 3, Created);

        Assert.True(Save(store, id, 0, 1, scale: 1));
        Assert.False(Save(store, id, 0, 1, scale: 2));

        var run = Assert.Single(store.FinishedRuns(id));
        Assert.Equal(10, run.Kpis["gate.a.trucks"]);
        Assert.Equal(3, run.Kpis.Count);
        var queues = store.DailyQueues(id);
        Assert.Equal(2, queues.Count);
        Assert.Equal([0.5f, 1.25f, 2f], queues.Single(q => q.Gate == "a").MeanQueue);
        Assert.Equal(12.5, store.TotalWallMilliseconds(id));
    }

    [Fact]
    public void SaveRun_UnplannedRun_ReturnsFalseAndStoresNothing()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(), 3, Created);

        Assert.False(Save(store, id, 0, 99));

        Assert.Empty(store.FinishedRuns(id));
        Assert.Empty(store.DailyQueues(id));
    }

    [Fact]
    public void SaveRun_KpiValues_RoundTripBitForBit()
    {
        double[] values =
        [
            0.1 + 0.2, 1e-300, -1e-300, double.Epsilon, 1.0 / 3.0, Math.PI, -123.456, 0, 1, 3.0, 12345678.9,
            1e15 + 0.3, 9007199254740993.0, 1e18, 123456789012345680000.0, double.MaxValue, double.MinValue, 2.2250738585072014E-308,
            BitConverter.Int64BitsToDouble(0x3FF0000000000001), 1e308 * 1.5,
        ];
        var kpis = values.Select((v, i) => new KpiValue("k." + i.ToString("D2", CultureInfo.InvariantCulture), v)).ToList();
        var path = NewPath();
        long id;
        using (var store = SqliteResultStore.Open(path, create: true))
        {
            id = store.CreateBatch(Spec(), 1, Created);
            Assert.True(store.SaveRun(id, 0, 0, kpis, [], conserved: true, 1, Created));
        }

        using var reopened = SqliteResultStore.Open(path, create: false);
        var run = Assert.Single(reopened.FinishedRuns(id));
        Assert.Equal(kpis.Select(k => k.Name), reopened.KpiNames(id, 0));
        foreach (var k in kpis)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(k.Value) == BitConverter.DoubleToInt64Bits(run.Kpis[k.Name]),
                $"{k.Name}: saved {k.Value:R}, read back {run.Kpis[k.Name]:R}");
        }

        Assert.Equal(0.30000000000000004, run.Kpis["k.00"]);
        Assert.NotEqual(0.3, run.Kpis["k.00"]);
    }

    [Fact]
    public void SaveRun_NegativeZero_IsStoredAsZero()
    {
        // SQLite keeps an integral REAL as an integer, which has no sign: the store writes -0.0 as +0.0 so that what is
        // read back is exactly what was written.
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(), 1, Created);

        store.SaveRun(id, 0, 0, [new KpiValue("k", -0.0)], [], true, 1, Created);

        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(store.FinishedRuns(id)[0].Kpis["k"]));
    }

    [Fact]
    public void SaveRun_KpiOrder_KeptAsTheRunListedIt()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(), 2, Created);
        KpiValue[] kpis = [new("z.last", 1), new("a.first", 2), new("m.middle", 3)];

        store.SaveRun(id, 1, 1, kpis, [], true, 1, Created);
        store.SaveRun(id, 1, 0, kpis, [], true, 1, Created);

        Assert.Equal(["z.last", "a.first", "m.middle"], store.KpiNames(id, 1));
        Assert.Empty(store.KpiNames(id, 0));
        Assert.Equal([(1, 0), (1, 1)], store.FinishedRuns(id).Select(r => (r.Position, r.Replication)));
    }

    [Fact]
    public void SaveRun_DailyQueues_RoundTripAsFloats()
    {
        var series = new float[365];
        for (var d = 0; d < series.Length; d++)
        {
            series[d] = (float)(Math.Sin(d / 10.0) * 40.0) + (d * 1e-3f);
        }

        series[7] = float.Epsilon;
        series[8] = float.MaxValue;
        series[9] = 0.1f;
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(), 2, Created);

        store.SaveRun(id, 1, 1, Kpis(1), [("nam-giang", series), ("empty", [])], true, 1, Created);
        store.SaveRun(id, 0, 0, Kpis(1), Queues(2), true, 1, Created);

        var queues = store.DailyQueues(id);
        Assert.Equal([(0, 0, "a"), (0, 0, "b"), (1, 1, "empty"), (1, 1, "nam-giang")], queues.Select(q => (q.Position, q.Replication, q.Gate)));
        var read = queues.Single(q => q.Gate == "nam-giang").MeanQueue;
        Assert.Equal(series.Length, read.Length);
        Assert.Equal(series.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
        Assert.Empty(queues.Single(q => q.Gate == "empty").MeanQueue);
        Assert.Equal([1f, 2.5f, 4f], queues.Single(q => q.Gate == "a").MeanQueue);
    }

    [Fact]
    public void Open_GarbageFile_RefusedAsNotSqliteAndLeftUnchanged()
    {
        var path = NewPath("notes.db");
        var bytes = new byte[8192];
        new Random(5).NextBytes(bytes);
        "This is not a database, it is someone's notes.\n"u8.ToArray().CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"), "a -wal file was left beside the refused file");
        Assert.False(File.Exists(path + "-journal"), "a -journal file was left beside the refused file");
    }

    [Fact]
    public void Open_ShortTextFile_RefusedAndLeftUnchanged()
    {
        var path = NewPath("readme.db");
        File.WriteAllText(path, "hello\n");
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_SqliteFileWithOtherTables_Refused()
    {
        var path = NewPath("other.db");
        CreateForeignDatabase(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("holds other tables", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(3L, Query(path, "SELECT count(*) FROM customers"));
        Assert.Equal(0L, Query(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('schema_version', 'batches', 'runs')"));
    }

    [Fact]
    public void Open_SqliteFileWithOtherTables_LeftByteForByteUnchanged()
    {
        var path = NewPath("other.db");
        CreateForeignDatabase(path);
        var before = File.ReadAllBytes(path);

        Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        // Before Migrate checked the tables ahead of `PRAGMA journal_mode = WAL`, bytes 18 and 19 of the header went
        // from 1 (rollback journal) to 2 (WAL), and -wal and -shm files stayed beside the refused database.
        Assert.False(File.Exists(path + "-wal"), "a -wal file was left beside the refused database: its connection is still open");
        Assert.False(File.Exists(path + "-shm"), "a -shm file was left beside the refused database: its connection is still open");
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Open_OtherSchemaVersion_Refused()
    {
        var path = NewPath();
        using (SqliteResultStore.Open(path, create: true))
        {
        }

        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE schema_version SET version = 99";
            update.ExecuteNonQuery();
        }

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingFileWithoutCreate_RefusedAndNoFileCreated()
    {
        var path = NewPath("missing.db");

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: false));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Open_Directory_Refused()
    {
        var path = Path.Combine(_directory, "a-folder.db");
        Directory.CreateDirectory(path);

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("is a directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingFolder_RefusedAsCannotOpen()
    {
        var path = Path.Combine(_directory, "no-such-folder", "results.db");

        var e = Assert.Throws<ResultStoreException>(() => SqliteResultStore.Open(path, create: true));

        Assert.Contains("cannot open the file", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void LoadBatch_UnknownId_ListsTheKnownIds()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var empty = Assert.Throws<ResultStoreException>(() => store.LoadBatch(1));
        Assert.Contains("batch 1 is not in", empty.Message, StringComparison.Ordinal);
        Assert.Contains("(none: the database holds no batches)", empty.Message, StringComparison.Ordinal);

        var first = store.CreateBatch(Spec(), 1, Created);
        var second = store.CreateBatch(Spec(3), 1, Created);
        var third = store.CreateBatch(Spec(1), 1, Created);

        var e = Assert.Throws<ResultStoreException>(() => store.LoadBatch(99));

        Assert.Contains("batch 99 is not in", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"expected one of {first}, {second}, {third}", e.Message, StringComparison.Ordinal);
        Assert.Equal([first, second, third], store.ListBatchIds());
    }

    [Fact]
    public void CreateBatch_SharedScenarioText_StoredOnceAndLoadedForBoth()
    {
        var path = NewPath();
        using var store = SqliteResultStore.Open(path, create: true);

        var a = store.CreateBatch(Spec(), 1, Created);
        var b = store.CreateBatch(Spec(), 1, Created);

        Assert.Equal(2L, Query(path, "SELECT count(*) FROM scenario_texts"));
        Assert.Equal(store.LoadBatch(a).Spec.Scenarios.Select(s => s.Hash), store.LoadBatch(b).Spec.Scenarios.Select(s => s.Hash));
    }

    [Fact]
    public void PendingRuns_ShrinksAsRunsAreSaved_InReplicationThenScenarioOrder()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(2), 3, Created);
        Assert.Equal([(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)], store.PendingRuns(id));

        Save(store, id, 1, 0);
        Assert.Equal([(0, 0), (0, 1), (1, 1), (0, 2), (1, 2)], store.PendingRuns(id));

        Save(store, id, 0, 2);
        Save(store, id, 1, 0); // already done: no change
        Assert.Equal([(0, 0), (0, 1), (1, 1), (1, 2)], store.PendingRuns(id));

        foreach (var (position, replication) in store.PendingRuns(id))
        {
            Assert.True(Save(store, id, position, replication));
        }

        Assert.Empty(store.PendingRuns(id));
        Assert.Equal(6, store.FinishedRuns(id).Count);
    }

    [Fact]
    public void PendingRuns_OtherBatches_NotMixedIn()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var a = store.CreateBatch(Spec(1), 2, Created);
        var b = store.CreateBatch(Spec(1), 1, Created);

        Save(store, a, 0, 0);

        Assert.Equal([(0, 1)], store.PendingRuns(a));
        Assert.Equal([(0, 0)], store.PendingRuns(b));
        Assert.Empty(store.FinishedRuns(b));
    }

    [Fact]
    public void PlanReplications_More_AddsOnlyTheNewRunsAndKeepsFinishedOnes()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(2), 2, Created);
        Save(store, id, 0, 0, scale: 3);
        Save(store, id, 1, 0);
        Save(store, id, 0, 1);

        store.PlanReplications(id, 4);

        Assert.Equal(4, store.LoadBatch(id).PlannedReplications);
        Assert.Equal([(1, 1), (0, 2), (1, 2), (0, 3), (1, 3)], store.PendingRuns(id));
        var finished = store.FinishedRuns(id);
        Assert.Equal([(0, 0), (0, 1), (1, 0)], finished.Select(r => (r.Position, r.Replication)));
        Assert.Equal(30, finished[0].Kpis["gate.a.trucks"]);
    }

    [Fact]
    public void PlanReplications_FewerOrSame_ChangesNothing()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(2), 3, Created);
        Save(store, id, 0, 0);
        var pending = store.PendingRuns(id);

        store.PlanReplications(id, 3);
        store.PlanReplications(id, 2);

        Assert.Equal(3, store.LoadBatch(id).PlannedReplications);
        Assert.Equal(pending, store.PendingRuns(id));
    }

    [Fact]
    public void UnconservedRuns_CountsOnlyFinishedRunsThatDidNotBalance()
    {
        using var store = SqliteResultStore.Open(NewPath(), create: true);
        var id = store.CreateBatch(Spec(2), 2, Created);

        store.SaveRun(id, 0, 0, Kpis(1), [], conserved: false, 1, Created);
        store.SaveRun(id, 1, 0, Kpis(1), [], conserved: true, 2, Created);
        store.SaveRun(id, 0, 1, Kpis(1), [], conserved: false, 4, Created);

        Assert.Equal(2, store.UnconservedRuns(id));
        Assert.Equal(7, store.TotalWallMilliseconds(id));
    }

    private static void CreateForeignDatabase(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('a'), ('b'), ('c');";
        command.ExecuteNonQuery();
    }
}
