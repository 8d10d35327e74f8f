using System.Globalization;
using Npgsql;
using TradeSim.Silo.Cluster;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL server for a test class (tests/Shared/PostgresServer.cs); every test takes a database of
/// its own from it, so tests share the server's start-up but nothing else.
/// </summary>
public sealed class PostgresFixture : IDisposable
{
    private int _databases;

    public PostgresServer Server { get; } = PostgresServer.Start();

    /// <summary>A new empty database, not prepared: its connection string.</summary>
    public string NewEmptyDatabase()
    {
        var name = "test_" + Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture);
        return Server.CreateDatabase(name);
    }

    /// <summary>A new database brought to the current schema.</summary>
    public ClusterDatabase NewDatabase()
    {
        var database = ClusterDatabase.FromConnectionString(NewEmptyDatabase());
        database.Prepare();
        return database;
    }

    public void Dispose() => Server.Dispose();
}

/// <summary>Plain SQL against a test database, for setting up states and reading what the code under test wrote.</summary>
internal static class Sql
{
    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static string Row(string connectionString, string sql) => Assert.Single(Rows(connectionString, sql));

    /// <summary>Every row of a query, its columns joined by '|' (as psql -A prints them; null is empty).</summary>
    public static List<string> Rows(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? string.Empty : reader.GetValue(i) switch
            {
                bool flag => flag ? "true" : "false",
                IFormattable value => value.ToString(null, CultureInfo.InvariantCulture),
                var value => value.ToString(),
            })));
        }

        return rows;
    }
}
