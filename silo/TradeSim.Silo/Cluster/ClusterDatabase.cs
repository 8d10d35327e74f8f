using System.Net.Sockets;
using Npgsql;

namespace TradeSim.Silo.Cluster;

/// <summary>The cluster database cannot be used: a malformed connection string, an unreachable server, a refused login.</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The PostgreSQL database of a cluster - Orleans' membership tables and TradeSim's results: connection handling, the
/// schema and its versioned migrations (Orleans' tables and queries included, written by us against the ADO.NET
/// provider's contract).
/// Every operation takes a connection from the pool for one short transaction; <see cref="WithRetry{T}"/> retries
/// transient failures with backoff and empties the pool on each, so a restarted server costs one failed attempt.
/// </summary>
public sealed class ClusterDatabase
{
    /// <summary>The schema migrations (Storage/Migrations/PostgreSql): script i brings the schema to version i + 1.</summary>
    private static readonly IReadOnlyList<string> Migrations = Storage.SqlScripts.Migrations("PostgreSql");

    /// <summary>The schema version this build writes and reads.</summary>
    public static int SchemaVersion => Migrations.Count;

    private readonly string _connectionString;

    private ClusterDatabase(string connectionString, string display)
    {
        _connectionString = connectionString;
        Display = display;
    }

    /// <summary>The connection string without its password, for messages and listings.</summary>
    public string Display { get; }

    /// <summary>The connection string as given to Orleans' ADO.NET clustering (password included: never shown).</summary>
    public string ConnectionString => _connectionString;

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

    /// <summary>
    /// Failures that a later attempt may not meet: the server is down, restarting or unreachable, or it ended this
    /// session (an administrator; the idle-in-transaction timeout, 25P03, after this process was paused inside a
    /// transaction; the idle-session timeout, 57P05). The server rolled back whatever the session had not committed.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState is "57P01" or "57P02" or "57P03" or "57P05" or "25P03" or "08006" or "08001" or "08003" or "08004",
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
            Execute(connection, tx, Migrations[version - 1]);

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
