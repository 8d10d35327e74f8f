using Npgsql;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Storage;
using TradeSim.Silo.Tests.Support;
using static TradeSim.Silo.Tests.Support.StoreData;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>
/// The cluster database: connection strings, and the schema its migrations build (version 1, TradeSim's own
/// leases; 2, runs on Orleans; 3, Orleans' membership tables and the query texts its ADO.NET provider reads).
/// </summary>
public sealed class ClusterDatabaseTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    /// <summary>The query keys Orleans 10.4.2's ADO.NET clustering provider requires in orleansquery.</summary>
    public static readonly TheoryData<string> RequiredQueryKeys =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey", "UpdateIAmAlivetimeKey",
        "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
    ];

    /// <summary>Tables, columns, indexes, constraints and stored queries: what a migration changes.</summary>
    private const string SchemaSnapshot =
        """
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
          FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT 'query ' || querykey || ' ' || md5(querytext) FROM orleansquery
        UNION ALL SELECT 'version ' || version FROM tradesim_schema
        ORDER BY 1
        """;

    [Fact]
    public void WithRetry_SessionEndedByTheIdleInTransactionTimeout_IsRetriedOnAFreshConnection()
    {
        // A silo paused (SIGSTOP, a long GC) inside a transaction: PostgreSQL ends the session (25P03) and the
        // resumed silo's next command fails. That is transient: the transaction was rolled back, a new one succeeds.
        var database = postgres.NewDatabase();
        var attempts = 0;
        var retried = new List<Exception>();

        var answer = database.WithRetry(
            connection =>
            {
                attempts++;
                using var tx = connection.BeginTransaction();
                if (attempts == 1)
                {
                    using var shorten = new NpgsqlCommand("SET LOCAL idle_in_transaction_session_timeout = 100", connection, tx);
                    shorten.ExecuteNonQuery();
                    Thread.Sleep(1000);
                }

                using var select = new NpgsqlCommand("SELECT 42", connection, tx);
                var value = (int)select.ExecuteScalar()!;
                tx.Commit();
                return value;
            },
            CancellationToken.None,
            (e, _) => retried.Add(e));

        Assert.Equal(42, answer);
        Assert.Equal(2, attempts);
        var failure = Assert.Single(retried);
        Assert.True(ClusterDatabase.IsTransient(failure), failure.ToString());
    }

    [Fact]
    public void Prepare_NewDatabase_ReachesTheCurrentSchemaVersion()
    {
        var database = ClusterDatabase.FromConnectionString(postgres.NewEmptyDatabase());

        database.Prepare();

        Assert.Equal(4, ClusterDatabase.SchemaVersion);
        Assert.Equal(["1", "2", "3", "4"], Sql.Rows(database.ConnectionString, "SELECT version FROM tradesim_schema ORDER BY version"));
        Assert.Equal(
            ["batch_scenarios", "batches", "orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "results", "runs", "scenario_texts", "tradesim_schema"],
            Sql.Rows(database.ConnectionString, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"));
    }

    [Fact]
    public void Prepare_Again_ChangesNothing()
    {
        var database = postgres.NewDatabase();
        var (id, _) = new PostgresResultStore(database, CancellationToken.None).CreateBatch(Spec(), 2, Created);
        var before = Sql.Rows(database.ConnectionString, SchemaSnapshot);

        database.Prepare();
        ClusterDatabase.FromConnectionString(database.ConnectionString).Prepare();

        Assert.Equal(before, Sql.Rows(database.ConnectionString, SchemaSnapshot));
        Assert.Equal("4", Sql.Row(database.ConnectionString, $"SELECT count(*) FROM runs WHERE batch_id = {id}"));
    }

    [Fact]
    public void Prepare_Version1DatabaseWithData_MigratesToTheCurrentVersion_KeepingBatchesAndResults()
    {
        var connectionString = postgres.NewEmptyDatabase();
        var spec = Spec(scenarios: 2, seed: ulong.MaxValue);
        WriteVersion1Database(connectionString, spec);
        var database = ClusterDatabase.FromConnectionString(connectionString);

        database.Prepare();

        Assert.Equal(["1", "2", "3", "4"], Sql.Rows(connectionString, "SELECT version FROM tradesim_schema ORDER BY version"));
        Assert.Equal("0", Sql.Row(connectionString, "SELECT count(*) FROM pg_tables WHERE tablename IN ('silos', 'run_leases')"));
        Assert.Equal("0", Sql.Row(connectionString, "SELECT count(*) FROM information_schema.columns WHERE column_name IN ('silo_id', 'lease_owner', 'failures', 'not_before')"));

        var store = new PostgresResultStore(database, CancellationToken.None);
        var batch = store.LoadBatch(1);
        Assert.Equal((BatchStatus.Running, ulong.MaxValue, 2, 3), (batch.Status, batch.Spec.Seed, batch.PlannedReplications, batch.MaxAttempts));
        Assert.Equal(spec.Scenarios.Select(s => (s.Name, s.Hash)), batch.Spec.Scenarios.Select(s => (s.Name, s.Hash)));
        Assert.Equal(
            [
                new RunState(0, 0, StoredRunState.Done, 1, null),
                new RunState(1, 0, StoredRunState.Pending, 1, "silo died"),
                new RunState(0, 1, StoredRunState.Failed, 3, "boom"),
                new RunState(1, 1, StoredRunState.Pending, 0, null),
            ],
            store.RunStates(1));
        var run = Assert.Single(store.AllFinishedRuns(1));
        Assert.Equal([("gate.a.trucks", 42.0), ("total.trade_value_usd", 0.30000000000000004)], run.Kpis.Select(k => (k.Key, k.Value)));
        Assert.Equal([("a", new[] { 1f, 2.5f })], store.AllDailyQueues(1).Select(q => (q.Gate, q.MeanQueue)));
        Assert.Equal([new FailedRun(0, 1, 3, "boom")], store.FailedRuns(1));
        Assert.Equal([1L], store.RunningBatches("0.1.0+version-1"));

        // The migrated database goes on as a current one: the run that was leased is run again.
        Assert.Equal([2], store.StartAttempts([Key(1, 1, 0)]));
        Assert.Equal(SaveOutcome.Stored, store.SaveResult(Key(1, 1, 0), Record(), SiloA, 1, Created));
        Assert.Equal(2, store.AllFinishedRuns(1).Count);
    }

    [Fact]
    public void Prepare_HigherSchemaVersion_IsRefused_AndChangesNothing()
    {
        var database = postgres.NewDatabase();
        Sql.Execute(database.ConnectionString, "INSERT INTO tradesim_schema (version) VALUES (5)");
        var before = Sql.Rows(database.ConnectionString, SchemaSnapshot);

        var e = Assert.Throws<ClusterUnavailableException>(database.Prepare);

        Assert.Contains("has schema version 5; this build knows up to 4: upgrade tradesim", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Sql.Rows(database.ConnectionString, SchemaSnapshot));
    }

    [Theory]
    [MemberData(nameof(RequiredQueryKeys))]
    public void Prepare_StoresEveryQueryTheOrleansProviderRequires(string key)
    {
        var database = postgres.NewDatabase();

        var text = Sql.Rows(database.ConnectionString, $"SELECT querytext FROM orleansquery WHERE querykey = '{key}'");

        Assert.True(text.Count == 1, $"orleansquery has no {key}: Orleans' ADO.NET clustering refuses to start without it");
        Assert.False(string.IsNullOrWhiteSpace(text[0]), $"orleansquery's {key} is empty");
        Assert.Contains("@DeploymentId", text[0], StringComparison.Ordinal);
    }

    [Fact]
    public void OrleansQueries_RunAsTheProviderRunsThem_AndKeepTheTableVersion()
    {
        var database = postgres.NewDatabase();
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var queries = new OrleansQueries(connection, tx);
        var start = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1230);
        var silo = (Address: "10.0.0.5", Port: 11111, Generation: 1);
        var other = (Address: "10.0.0.6", Port: 11111, Generation: 2);

        Assert.True(queries.Flag("InsertMembershipVersionKey", ("DeploymentId", "c1")), "the version row was not created");
        Assert.False(queries.Flag("InsertMembershipVersionKey", ("DeploymentId", "c1")), "the version row was created twice");
        var empty = Assert.Single(queries.Rows("MembershipReadAllKey", ("DeploymentId", "c1")));
        Assert.Equal((0, null), ((int)empty["Version"]!, empty["Address"]));

        // Inserts: only with the current table version, only once per silo, each bumping the version.
        Assert.True(queries.Flag("InsertMembershipKey", Insert(silo, version: 0, start)));
        Assert.False(queries.Flag("InsertMembershipKey", Insert(silo, version: 1, start)), "a silo was inserted twice");
        Assert.False(queries.Flag("InsertMembershipKey", Insert(other, version: 0, start)), "an insert with a stale version went through");
        Assert.True(queries.Flag("InsertMembershipKey", Insert(other, version: 1, start)));
        var all = queries.Rows("MembershipReadAllKey", ("DeploymentId", "c1"));
        Assert.Equal([(2, "10.0.0.5", 11111, 1, "silo-1", 3, 30001), (2, "10.0.0.6", 11111, 2, "silo-2", 3, 30002)], all.Select(Describe).Order());
        Assert.Equal(start, (DateTime)all[0]["StartTime"]!);

        // One row: the silo's, or the version alone when it has none.
        var row = Assert.Single(queries.Rows("MembershipReadRowKey", ("DeploymentId", "c1"), ("Address", silo.Address), ("Port", silo.Port), ("Generation", silo.Generation)));
        Assert.Equal((2, "10.0.0.5", 11111, 1, "silo-1", 3, 30001), Describe(row));
        var none = Assert.Single(queries.Rows("MembershipReadRowKey", ("DeploymentId", "c1"), ("Address", "10.9.9.9"), ("Port", 1), ("Generation", 1)));
        Assert.Equal((2, null), ((int)none["Version"]!, none["StartTime"]));

        // Updates: again only with the current version; the heartbeat changes no version.
        var alive = start.AddMinutes(1);
        Assert.True(queries.Flag("UpdateMembershipKey", Update(silo, version: 2, status: 6, "10.0.0.6:11111@2, 2025-01-02 03:05:00.000 GMT", alive)));
        Assert.False(queries.Flag("UpdateMembershipKey", Update(other, version: 2, status: 6, null, alive)), "an update with a stale version went through");
        Assert.Equal(1, queries.Execute("UpdateIAmAlivetimeKey", ("DeploymentId", "c1"), ("Address", other.Address), ("Port", other.Port), ("Generation", other.Generation), ("IAmAliveTime", alive.AddSeconds(5))));
        row = Assert.Single(queries.Rows("MembershipReadRowKey", ("DeploymentId", "c1"), ("Address", other.Address), ("Port", other.Port), ("Generation", other.Generation)));
        Assert.Equal((3, 3, alive.AddSeconds(5)), ((int)row["Version"]!, (int)row["Status"]!, (DateTime)row["IAmAliveTime"]!));

        // Gateways: active silos with a gateway port.
        var gateway = Assert.Single(queries.Rows("GatewaysQueryKey", ("DeploymentId", "c1"), ("Status", 3)));
        Assert.Equal(("10.0.0.6", 30002, 2), ((string)gateway["Address"]!, (int)gateway["ProxyPort"]!, (int)gateway["Generation"]!));

        // Clean-up removes dead silos only, older than the cutoff; the single-row form only the row as read.
        Assert.Equal(0, queries.Execute("CleanupDefunctSiloEntriesKey", ("DeploymentId", "c1"), ("IAmAliveTime", start)));
        var dead = queries.Rows("MembershipReadAllKey", ("DeploymentId", "c1")).Single(r => (int)r["Status"]! == 6);
        Assert.Equal(0, queries.Execute("CleanupDefunctSiloEntryKey", Defunct(dead, suspectTimes: "changed since")));
        Assert.Equal(1, queries.Execute("CleanupDefunctSiloEntryKey", Defunct(dead, (string?)dead["SuspectTimes"])));
        Assert.True(queries.Flag("InsertMembershipKey", Insert(silo with { Generation = 3 }, version: 3, start)));
        Assert.True(queries.Flag("UpdateMembershipKey", Update(silo with { Generation = 3 }, version: 4, status: 6, null, start)));
        Assert.Equal(1, queries.Execute("CleanupDefunctSiloEntriesKey", ("DeploymentId", "c1"), ("IAmAliveTime", alive.AddHours(1))));
        Assert.Equal(["10.0.0.6"], queries.Rows("MembershipReadAllKey", ("DeploymentId", "c1")).Select(r => (string)r["Address"]!));

        // Deleting a cluster removes its rows and its version, and no other cluster's.
        Assert.True(queries.Flag("InsertMembershipVersionKey", ("DeploymentId", "c2")));
        queries.Execute("DeleteMembershipTableEntriesKey", ("DeploymentId", "c1"));
        Assert.Empty(queries.Rows("MembershipReadAllKey", ("DeploymentId", "c1")));
        Assert.Single(queries.Rows("MembershipReadAllKey", ("DeploymentId", "c2")));
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=notaport", "bad cluster connection string")]
    [InlineData("this is not a connection string", "bad cluster connection string")]
    [InlineData("Database=tradesim;Username=tradesim", "bad cluster connection string: no Host")]
    [InlineData("Host= ;Database=tradesim", "bad cluster connection string: no Host")]
    public void FromConnectionString_Malformed_IsRefusedSayingWhatToGive(string connectionString, string expected)
    {
        var e = Assert.Throws<ClusterUnavailableException>(() => ClusterDatabase.FromConnectionString(connectionString));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("expected e.g. \"Host=127.0.0.1;Port=5432;Database=tradesim;Username=tradesim\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConnectionString_HidesThePassword_AndSetsTheSessionTimeouts()
    {
        var database = ClusterDatabase.FromConnectionString("Host=db.example;Port=6543;Database=tradesim;Username=sim;Password=s3cret-Pa55");

        Assert.DoesNotContain("s3cret-Pa55", database.Display, StringComparison.Ordinal);
        Assert.Contains("Host=db.example", database.Display, StringComparison.Ordinal);
        var effective = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        Assert.Equal("s3cret-Pa55", effective.Password);
        Assert.Equal("-c idle_in_transaction_session_timeout=10000", effective.Options);
        Assert.Equal(5, effective.Timeout);
        Assert.Equal("tradesim", effective.ApplicationName);
    }

    [Theory]
    [InlineData("Host=h;Password=s3cret-Pa55;Username=u", "s3cret-Pa55")]
    [InlineData("Host=h;PASSWORD=s3cret-Pa55", "s3cret-Pa55")]
    [InlineData("Host=h;Password='a;b=s3cret'", "s3cret")]
    [InlineData("Host=h;Password=s3cret;Nonsense=1", "s3cret")]
    public void Redact_NeverShowsThePassword(string connectionString, string secret)
    {
        var redacted = ClusterDatabase.Redact(connectionString);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.True(redacted.Contains("Host=h", StringComparison.Ordinal) || redacted == "(connection string hidden)", $"unexpected redaction: {redacted}");
    }

    [Fact]
    public void Prepare_NoServerThere_IsRefusedSayingSo()
    {
        var port = TradeSim.Silo.Hosting.SiloPorts.FreeLoopbackPort();
        var database = ClusterDatabase.FromConnectionString($"Host=127.0.0.1;Port={port};Database=tradesim;Username=tradesim;Password=hunter2");

        var e = Assert.Throws<ClusterUnavailableException>(database.Prepare);

        Assert.Contains($"cannot use the cluster database Host=127.0.0.1;Port={port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused: is PostgreSQL running there?", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    private static (string, object?)[] Insert((string Address, int Port, int Generation) silo, int version, DateTime start) =>
    [
        ("DeploymentId", "c1"), ("Address", silo.Address), ("Port", silo.Port), ("Generation", silo.Generation),
        ("SiloName", $"silo-{silo.Generation}"), ("HostName", "host"), ("Status", 3), ("ProxyPort", 30000 + silo.Generation),
        ("StartTime", start), ("IAmAliveTime", start), ("Version", version),
    ];

    private static (string, object?)[] Update((string Address, int Port, int Generation) silo, int version, int status, string? suspectTimes, DateTime alive) =>
    [
        ("DeploymentId", "c1"), ("Address", silo.Address), ("Port", silo.Port), ("Generation", silo.Generation),
        ("Status", status), ("SuspectTimes", suspectTimes), ("IAmAliveTime", alive), ("Version", version),
    ];

    private static (string, object?)[] Defunct(Dictionary<string, object?> row, string? suspectTimes) =>
    [
        ("DeploymentId", "c1"), ("Address", row["Address"]), ("Port", row["Port"]), ("Generation", row["Generation"]),
        ("StartTime", row["StartTime"]), ("IAmAliveTime", row["IAmAliveTime"]), ("SuspectTimes", suspectTimes),
    ];

    private static (int, string?, int, int, string?, int, int) Describe(Dictionary<string, object?> row) =>
        ((int)row["Version"]!, (string?)row["Address"], (int)row["Port"]!, (int)row["Generation"]!, (string?)row["SiloName"], (int)row["Status"]!, (int)row["ProxyPort"]!);

    /// <summary>
    /// A database as tradesim wrote it while it ran on its own leases: the version-1 schema (Migrations/PostgreSql/0001,
    /// the same statements that release ran), a silo, a running batch of two scenarios and two replications with one
    /// run done (its result written by the silo), one leased by it after a failure, one failed for good, one pending.
    /// </summary>
    private static void WriteVersion1Database(string connectionString, BatchSpec spec)
    {
        Sql.Execute(connectionString, SqlScripts.Migrations("PostgreSql")[0]);
        Sql.Execute(connectionString, "CREATE TABLE tradesim_schema (version integer NOT NULL); INSERT INTO tradesim_schema VALUES (1)");
        const string Silo = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
        Sql.Execute(
            connectionString,
            $"""
            INSERT INTO silos (id, name, host, pid, workers, engine_version) VALUES ('{Silo}', 'old-silo', 'host', 4242, 4, '0.1.0+version-1');
            INSERT INTO batches (fingerprint, engine_version, seed, baseline_position, min_replications, max_replications, precision, planned_replications, max_attempts, options_json, status)
            VALUES ('{new string('f', 64)}', '0.1.0+version-1', {spec.Seed}, 0, 2, 2, NULL, 2, 3, '["batch"]', 'running');
            """);
        foreach (var s in spec.Scenarios)
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var text = new NpgsqlCommand("INSERT INTO scenario_texts VALUES ($1, $2)", connection);
            text.Parameters.AddWithValue(s.Hash);
            text.Parameters.AddWithValue(TradeSim.Grains.Runs.ScenarioText.ToJson(s.Layers));
            text.ExecuteNonQuery();
            using var scenario = new NpgsqlCommand("INSERT INTO batch_scenarios VALUES (1, $1, $2, $3)", connection);
            scenario.Parameters.AddWithValue(s.Position);
            scenario.Parameters.AddWithValue(s.Name);
            scenario.Parameters.AddWithValue(s.Hash);
            scenario.ExecuteNonQuery();
        }

        Sql.Execute(
            connectionString,
            $"""
            INSERT INTO runs (batch_id, position, replication, state, attempt, failures, lease_owner, lease_expires_at, last_error, finished_at, wall_ms, conserved) VALUES
                (1, 0, 0, 'done', 1, 0, NULL, NULL, NULL, now(), 12.5, true),
                (1, 1, 0, 'leased', 2, 1, '{Silo}', now() + interval '30 seconds', 'silo died', NULL, NULL, NULL),
                (1, 0, 1, 'failed', 3, 3, NULL, NULL, 'boom', NULL, NULL, NULL),
                (1, 1, 1, 'pending', 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO run_leases (batch_id, position, replication, attempt, silo_id, ended_at, outcome) VALUES
                (1, 0, 0, 1, '{Silo}', now(), 'done'), (1, 1, 0, 1, '{Silo}', now(), 'failed'), (1, 1, 0, 2, '{Silo}', NULL, NULL);
            INSERT INTO results (batch_id, position, replication, attempt, silo_id, kpi_names, kpi_values, queue_gates, queue_values)
            VALUES (1, 0, 0, 1, '{Silo}', ARRAY['gate.a.trucks', 'total.trade_value_usd'], ARRAY[42.0, 0.30000000000000004]::double precision[], ARRAY['a'], '\x0000803f00002040'::bytea);
            """);
    }

    /// <summary>
    /// Runs the stored Orleans queries by key, with named parameters (@Name) of the names and .NET types the ADO.NET
    /// provider passes: a test of our SQL against the provider's contract, not of the provider itself (the cluster
    /// tests start real silos for that).
    /// </summary>
    private sealed class OrleansQueries(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        public bool Flag(string key, params (string Name, object? Value)[] parameters)
        {
            var row = Assert.Single(Rows(key, parameters));
            return Assert.IsType<bool>(Assert.Single(row.Values));
        }

        public List<Dictionary<string, object?>> Rows(string key, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(key, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<Dictionary<string, object?>>();
            while (reader.Read())
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i), StringComparer.Ordinal));
            }

            return rows;
        }

        public int Execute(string key, params (string Name, object? Value)[] parameters)
        {
            using var command = Command(key, parameters);
            return command.ExecuteNonQuery();
        }

        private NpgsqlCommand Command(string key, (string Name, object? Value)[] parameters)
        {
            string text;
            using (var select = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection, tx))
            {
                select.Parameters.AddWithValue("key", key);
                text = (string)(select.ExecuteScalar() ?? throw new InvalidOperationException($"no query {key}"));
            }

            var command = new NpgsqlCommand(text, connection, tx);
            foreach (var (name, value) in parameters)
            {
                // The value's .NET type gives the PostgreSQL type (a UTC DateTime is a timestamptz); a null is text.
                command.Parameters.Add(value is null ? new NpgsqlParameter(name, System.Data.DbType.String) { Value = DBNull.Value } : new NpgsqlParameter(name, value));
            }

            return command;
        }
    }
}
