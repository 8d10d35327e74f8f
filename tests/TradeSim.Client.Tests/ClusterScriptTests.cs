using Npgsql;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// `scripts/cluster.sh` (issue 10, item 6): its PostgreSQL takes a password (scram-sha-256), kept in a file only the
/// user who started the cluster can read; the connection string names the file and holds no password.
/// </summary>
[Collection(ClusterSerialGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterScriptTests
{
    [Fact]
    public void Start_GivesTheDatabaseAPasswordInAPrivateFile_AndRefusesConnectionsWithoutIt()
    {
        var repo = Repository.Root;
        var data = Directory.CreateTempSubdirectory("tradesim-script-");
        // PostgreSQL runs as `postgres` when we are root: it must reach the folder.
        File.SetUnixFileMode(data.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var port = 57000 + (Environment.ProcessId % 900);
        var script = Path.Combine(repo, "scripts", "cluster.sh");
        try
        {
            var start = ProcessRunner.Run("bash", [script, "start", "--data", data.FullName, "--silos", "0", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(5));
            Assert.True(start.ExitCode == 0, start.Describe());

            var passfile = Path.Combine(data.FullName, "pgpass");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passfile));
            var env = File.ReadAllText(Path.Combine(data.FullName, "cluster.env"));
            var connection = env.Split('"')[1];
            Assert.Equal($"Host=127.0.0.1;Port={port};Database=tradesim;Username=tradesim;Passfile={passfile}", connection);
            var password = File.ReadAllText(passfile).Trim().Split(':')[^1];
            Assert.True(password.Length >= 24, "the generated password is short");
            Assert.DoesNotContain(password, start.Stdout + start.Stderr, StringComparison.Ordinal);

            using (var withFile = new NpgsqlConnection(connection))
            {
                withFile.Open();
                using var query = new NpgsqlCommand("SELECT current_user", withFile);
                Assert.Equal("tradesim", query.ExecuteScalar());
            }

            var refused = Assert.Throws<PostgresException>(() =>
            {
                using var without = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Database=tradesim;Username=tradesim;Password=wrong;Passfile=/nonexistent");
                without.Open();
            });
            Assert.Equal("28P01", refused.SqlState); // invalid_password
        }
        finally
        {
            ProcessRunner.Run("bash", [script, "stop", "--data", data.FullName], TimeSpan.FromMinutes(2));
            data.Delete(recursive: true);
        }
    }
}
