using System.Net;
using System.Net.Sockets;
using TradeSim.Tests.Shared;

namespace TradeSim.Silo.Tests;

/// <summary>The throwaway PostgreSQL of the cluster tests (tests/Shared/PostgresServer.cs) does what they rely on.</summary>
public class PostgresServerTests
{
    [Fact]
    public void Server_AcceptsQueries_SurvivesStopAndStart_AndLeavesNothingBehind()
    {
        string baseDirectory;
        using (var server = PostgresServer.Start())
        {
            baseDirectory = server.BaseDirectory;
            Assert.True(Directory.Exists(server.DataDirectory));
            Assert.True(File.Exists(server.LogPath));
            Assert.Equal("1", server.Psql("SELECT 1"));
            Assert.Equal($"{PostgresServer.Superuser}|UTF8", server.Psql("SELECT current_user, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'postgres'"));
            Assert.Contains($"Port={server.Port};", server.ConnectionString, StringComparison.Ordinal);
            Assert.True(CanConnect(server.Port), $"nothing listens on 127.0.0.1:{server.Port}");

            var connectionString = server.CreateDatabase("fixture_check");
            Assert.Equal($"Host=127.0.0.1;Port={server.Port};Username=tradesim;Database=fixture_check;Pooling=false", connectionString);
            server.Psql("CREATE TABLE marker (id int PRIMARY KEY, note text NOT NULL)", "fixture_check");
            server.Psql("INSERT INTO marker VALUES (1, 'written before the stop')", "fixture_check");

            server.Stop();
            Assert.Null(server.PostmasterPid);
            Assert.False(CanConnect(server.Port), $"127.0.0.1:{server.Port} still accepts connections after Stop");
            var refused = Assert.Throws<InvalidOperationException>(() => server.Psql("SELECT 1"));
            Assert.Contains("Connection refused", refused.Message, StringComparison.Ordinal);

            server.Start();
            Assert.Equal("written before the stop", server.Psql("SELECT note FROM marker WHERE id = 1", "fixture_check"));

            server.Restart(TimeSpan.FromMilliseconds(100));
            Assert.Equal("1", server.Psql("SELECT count(*) FROM marker", "fixture_check"));
        }

        Assert.False(Directory.Exists(baseDirectory), $"{baseDirectory} is still there after Dispose");
    }

    [Fact]
    public void Server_AsRoot_RunsAsThePostgresUser()
    {
        using var server = PostgresServer.Start();
        var pid = server.PostmasterPid;
        Assert.NotNull(pid);

        var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        if (ProcessRunner.IsRoot)
        {
            var postgresUid = ProcessRunner.Run("id", ["-u", PostgresServer.ServiceUser], TimeSpan.FromSeconds(10)).Stdout.Trim();
            Assert.Equal(postgresUid, uid);
        }
        else
        {
            Assert.NotEqual("0", uid);
        }
    }

    [Fact]
    public void Failures_CarryTheServerLog()
    {
        using var server = PostgresServer.Start();

        var twice = Assert.Throws<InvalidOperationException>(() => server.Start());
        Assert.Contains("pg_ctl start failed", twice.Message, StringComparison.Ordinal);
        Assert.Contains($"--- PostgreSQL log {server.LogPath}", twice.Message, StringComparison.Ordinal);
        Assert.Contains("database system is ready to accept connections", twice.Message, StringComparison.Ordinal);

        var bad = Assert.Throws<InvalidOperationException>(() => server.Psql("SELECT * FROM no_such_table"));
        Assert.Contains("no_such_table", bad.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => server.CreateDatabase("bad; name"));
    }

    [Fact]
    public void Two_Servers_RunSideBySide()
    {
        using var first = PostgresServer.Start();
        using var second = PostgresServer.Start();

        Assert.NotEqual(first.Port, second.Port);
        first.Psql("CREATE TABLE only_in_first (id int)");
        Assert.Equal("1", first.Psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
        Assert.Equal("0", second.Psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'"));
    }

    [Fact]
    public void MissingBinaries_FailWithWhatToRun()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => PostgresServer.FindBinaries(pathVariable: "/nonexistent", libRoot: "/nonexistent"));
        Assert.Equal("PostgreSQL is not installed: run scripts/install-postgresql.sh", missing.Message);
    }

    private static bool CanConnect(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
