using System.Net.Sockets;
using Npgsql;

namespace TradeSim.Silo.Cluster;

/// <summary>The cluster database cannot be used: a malformed connection string, an unreachable server, a refused login.</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The PostgreSQL database that coordinates a cluster: connection handling, the schema and its migrations.
/// Every operation takes a connection from the pool for one short transaction; <see cref="WithRetry{T}"/> retries
/// transient failures with backoff and empties the pool on each, so a restarted server costs one failed attempt.
/// </summary>
public sealed class ClusterDatabase
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly string[][] Migrations =
    [
        // Version 1.
        [
            """
            CREATE TABLE silos (
                id uuid PRIMARY KEY,
                name text NOT NULL,
                host text NOT NULL,
                pid integer NOT NULL,
                workers integer NOT NULL,
                engine_version text NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                heartbeat_at timestamptz NOT NULL DEFAULT now(),
                stopped_at timestamptz,
                runs_done bigint NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE batches (
                id bigserial PRIMARY KEY,
                fingerprint text NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                engine_version text NOT NULL,
                seed numeric(20, 0) NOT NULL,
                baseline_position integer NOT NULL,
                min_replications integer NOT NULL,
                max_replications integer NOT NULL,
                precision double precision,
                planned_replications integer NOT NULL,
                max_attempts integer NOT NULL,
                options_json text NOT NULL,
                status text NOT NULL)
            """,
            "CREATE TABLE scenario_texts (hash text PRIMARY KEY, layers_json text NOT NULL)",
            """
            CREATE TABLE batch_scenarios (
                batch_id bigint NOT NULL REFERENCES batches(id),
                position integer NOT NULL,
                name text NOT NULL,
                hash text NOT NULL REFERENCES scenario_texts(hash),
                PRIMARY KEY (batch_id, position))
            """,
            """
            CREATE TABLE runs (
                batch_id bigint NOT NULL,
                position integer NOT NULL,
                replication integer NOT NULL,
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'leased', 'done', 'failed')),
                attempt integer NOT NULL DEFAULT 0,
                failures integer NOT NULL DEFAULT 0,
                lease_owner uuid,
                lease_expires_at timestamptz,
                not_before timestamptz NOT NULL DEFAULT now(),
                last_error text,
                finished_at timestamptz,
                wall_ms double precision,
                conserved boolean,
                PRIMARY KEY (batch_id, position, replication),
                FOREIGN KEY (batch_id, position) REFERENCES batch_scenarios(batch_id, position))
            """,
            "CREATE INDEX runs_open ON runs (batch_id, replication, position) WHERE state IN ('pending', 'leased')",
            """
            CREATE TABLE run_leases (
                batch_id bigint NOT NULL,
                position integer NOT NULL,
                replication integer NOT NULL,
                attempt integer NOT NULL,
                silo_id uuid NOT NULL,
                leased_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                ended_at timestamptz,
                outcome text,
                PRIMARY KEY (batch_id, position, replication, attempt))
            """,
            """
            CREATE TABLE results (
                batch_id bigint NOT NULL,
                position integer NOT NULL,
                replication integer NOT NULL,
                attempt integer NOT NULL,
                silo_id uuid NOT NULL,
                kpi_names text[] NOT NULL,
                kpi_values double precision[] NOT NULL,
                queue_gates text[] NOT NULL,
                queue_values bytea NOT NULL,
                written_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (batch_id, position, replication))
            """,
        ],
    ];

    private readonly string _connectionString;

    private ClusterDatabase(string connectionString, string display)
    {
        _connectionString = connectionString;
        Display = display;
    }

    /// <summary>The connection string without its password, for messages and listings.</summary>
    public string Display { get; }

    /// <summary>Checks a connection string's form (nothing is contacted); throws <see cref="ClusterUnavailableException"/>.</summary>
    public static ClusterDatabase FromConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ClusterUnavailableException($"bad cluster connection string: {e.Message}: expected e.g. \"Host=127.0.0.1;Port=5432;Database=tradesim;Username=tradesim\"", e);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ClusterUnavailableException("bad cluster connection string: no Host: expected e.g. \"Host=127.0.0.1;Port=5432;Database=tradesim;Username=tradesim\"");
        }

        var display = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Password = null };
        // A transaction left open by a frozen process must not hold its runs' row locks (SKIP LOCKED would skip them
        // forever): the server ends any session idle inside a transaction for 10 s. Ours last milliseconds.
        builder.Options = string.IsNullOrEmpty(builder.Options)
            ? "-c idle_in_transaction_session_timeout=10000"
            : builder.Options + " -c idle_in_transaction_session_timeout=10000";
        if (builder.Timeout == 15)
        {
            builder.Timeout = 5;
        }

        builder.ApplicationName ??= "tradesim";
        return new ClusterDatabase(builder.ConnectionString, display.ConnectionString);
    }

    /// <summary>A connection string as it may be shown or stored: without its password (or hidden entirely when it does not parse).</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            return "(connection string hidden)";
        }
    }

    /// <summary>Connects once and brings the schema to the current version; a failure is reported, not retried.</summary>
    public void Prepare()
    {
        try
        {
            Migrate();
        }
        catch (Exception e) when (IsTransient(e) || e is PostgresException)
        {
            throw new ClusterUnavailableException($"cannot use the cluster database {Display}: {Describe(e)}", e);
        }
    }

    public NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs an operation, retrying with exponential backoff (0.2 s doubling to 5 s) while the server cannot be reached,
    /// e.g. while it restarts, until <paramref name="cancellation"/> fires.
    /// </summary>
    public T WithRetry<T>(Func<NpgsqlConnection, T> operation, CancellationToken cancellation, Action<Exception, TimeSpan>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                using var connection = Open();
                return operation(connection);
            }
            catch (Exception e) when (IsTransient(e) && !cancellation.IsCancellationRequested)
            {
                // Pooled connections to a restarted server are all dead: drop them rather than meet each one in turn.
                NpgsqlConnection.ClearAllPools();
                onRetry?.Invoke(e, delay);
                cancellation.WaitHandle.WaitOne(delay);
                cancellation.ThrowIfCancellationRequested();
                delay = TimeSpan.FromMilliseconds(Math.Min(5000, delay.TotalMilliseconds * 2));
            }
        }
    }

    public void WithRetry(Action<NpgsqlConnection> operation, CancellationToken cancellation, Action<Exception, TimeSpan>? onRetry = null) =>
        WithRetry(c => { operation(c); return 0; }, cancellation, onRetry);

    /// <summary>Failures that a later attempt may not meet: the server is down, restarting or unreachable.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState is "57P01" or "57P02" or "57P03" or "08006" or "08001" or "08003" or "08004",
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    public static string Describe(Exception e) => e switch
    {
        PostgresException p => $"{p.MessageText} ({p.SqlState})",
        NpgsqlException { InnerException: SocketException s } => s.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused: is PostgreSQL running there?" : s.Message,
        NpgsqlException { InnerException: TimeoutException } => "timed out connecting: is the host reachable?",
        _ => e.Message,
    };

    private void Migrate()
    {
        using var connection = Open();

        // One migrator at a time across the cluster: a transaction-scoped advisory lock.
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, "SELECT pg_advisory_xact_lock(7234519)");
        Execute(connection, tx, "CREATE TABLE IF NOT EXISTS tradesim_schema (version integer NOT NULL)");
        using var read = new NpgsqlCommand("SELECT max(version) FROM tradesim_schema", connection, tx);
        var current = read.ExecuteScalar() is int v ? v : 0;
        if (current > SchemaVersion)
        {
            throw new ClusterUnavailableException($"the cluster database {Display} has schema version {current}; this build knows up to {SchemaVersion}: upgrade tradesim");
        }

        for (var version = current + 1; version <= SchemaVersion; version++)
        {
            foreach (var statement in Migrations[version - 1])
            {
                Execute(connection, tx, statement);
            }

            Execute(connection, tx, $"INSERT INTO tradesim_schema (version) VALUES ({version})");
        }

        tx.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }
}
