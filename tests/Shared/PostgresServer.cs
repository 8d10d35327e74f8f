using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace TradeSim.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL server for a test: its own data directory in a temporary folder, its own free port on
/// 127.0.0.1, superuser <c>tradesim</c> with trust authentication, fsync off. <see cref="Dispose"/> stops it and deletes
/// every file it made. Stop, start and restart it to test what survives an outage of the database.
/// </summary>
/// <remarks>
/// <para>
/// The binaries are those of the first directory on PATH that has both initdb and pg_ctl, else of the highest
/// /usr/lib/postgresql/N/bin (where Debian's <c>postgresql</c> package puts them); scripts/install-postgresql.sh
/// installs them and scripts/test.sh calls it. Missing binaries fail the test, they do not skip it.
/// </para>
/// <para>
/// PostgreSQL refuses to run as root. When the tests run as root (as on CI), initdb and pg_ctl run as the
/// <c>postgres</c> user through runuser, in a folder under /tmp that user owns; the server is still reached over TCP
/// as <c>tradesim</c>, so nothing else changes for a test. Every failure throws with the tail of the server's log.
/// </para>
/// </remarks>
public sealed partial class PostgresServer : IDisposable
{
    /// <summary>The superuser initdb creates, and the user of every connection string.</summary>
    public const string Superuser = "tradesim";

    /// <summary>The unprivileged user that runs PostgreSQL when the tests run as root (Debian's package creates it).</summary>
    public const string ServiceUser = "postgres";

    private const string NotInstalled = "PostgreSQL is not installed: run scripts/install-postgresql.sh";
    private const int LogTailLines = 40;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly List<PostgresServer> LiveServers = [];
    private static bool _exitHookInstalled;

    private readonly PostgresBinaries _binaries;
    private readonly string? _runAs;
    private bool _disposed;

    private PostgresServer(PostgresBinaries binaries, string? runAs, string baseDirectory)
    {
        _binaries = binaries;
        _runAs = runAs;
        BaseDirectory = baseDirectory;
    }

    /// <summary>The TCP port the server listens on (127.0.0.1 only); it stays the same across restarts.</summary>
    public int Port { get; private set; }

    /// <summary>The temporary folder that holds the data directory, the log and the Unix socket; deleted by <see cref="Dispose"/>.</summary>
    public string BaseDirectory { get; }

    /// <summary>The data directory (PGDATA).</summary>
    public string DataDirectory => Path.Combine(BaseDirectory, "data");

    /// <summary>The server's log (pg_ctl -l); it accumulates across restarts.</summary>
    public string LogPath => Path.Combine(BaseDirectory, "postgresql.log");

    /// <summary>The folder of the PostgreSQL binaries in use (initdb, pg_ctl, psql).</summary>
    public string BinDirectory => _binaries.Directory;

    /// <summary>A connection string (Npgsql syntax) to the <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>The process id of the postmaster while the server runs, from postmaster.pid; null when it is stopped.</summary>
    public int? PostmasterPid
    {
        get
        {
            var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
            try
            {
                var first = File.ReadLines(pidFile).FirstOrDefault();
                return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Creates a data directory with initdb and starts a new server on a free loopback port; throws (with the log tail)
    /// when any step fails, and throws "PostgreSQL is not installed..." when the binaries are missing.
    /// </summary>
    public static PostgresServer Start()
    {
        var binaries = FindBinaries(Environment.GetEnvironmentVariable("PATH"), "/usr/lib/postgresql");
        var runAs = ProcessRunner.IsRoot ? ServiceUser : null;
        var server = new PostgresServer(binaries, runAs, CreateBaseDirectory(runAs));
        Track(server);
        try
        {
            server.InitDb();
            server.StartOnFreePort();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server again, on the same port and data, after <see cref="Stop"/>; waits until it accepts connections.</summary>
    /// <remarks>
    /// <c>server.Start()</c> calls this, <c>PostgresServer.Start()</c> the static factory: C# picks by the receiver. Inside
    /// this class, call it as <c>this.Start()</c>, since a bare <c>Start()</c> would be the factory.
    /// </remarks>
    /// <param name="timeout">How long to wait for the server to accept connections; 60 s when null.</param>
    public void Start(TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var seconds = (int)Math.Ceiling((timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds);
        var options = string.Join(
            ' ',
            $"-p {Port}",
            $"-k '{BaseDirectory}'",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off",
            "-c max_connections=200");
        PgCtl(
            "start",
            "-D", DataDirectory, "-l", LogPath, "-o", options, "-w", "-t", seconds.ToString(CultureInfo.InvariantCulture), "start");
    }

    /// <summary>Stops the server (fast shutdown: open sessions are disconnected, data is kept); waits until it is down.</summary>
    public void Stop()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PgCtl("stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop");
    }

    /// <summary>Stops the server, waits <paramref name="downtime"/>, and starts it again on the same port and data.</summary>
    public void Restart(TimeSpan downtime)
    {
        Stop();
        Thread.Sleep(downtime);
        this.Start();
    }

    /// <summary>Creates database <paramref name="name"/> and returns a connection string to it.</summary>
    /// <param name="name">Letters, digits and underscores, not starting with a digit; kept case-sensitive.</param>
    public string CreateDatabase(string name)
    {
        if (!SimpleName().IsMatch(name))
        {
            throw new ArgumentException($"database name '{name}' is not letters, digits and underscores", nameof(name));
        }

        Psql($"CREATE DATABASE \"{name}\"");
        return ConnectionStringFor(name);
    }

    /// <summary>A connection string (Npgsql syntax) to database <paramref name="database"/> of this server.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Pooling=false";

    /// <summary>
    /// Runs <paramref name="sql"/> with psql (as <see cref="Superuser"/>, over TCP) in <paramref name="database"/>
    /// and returns its unaligned, tuples-only output, trimmed: one line per row, columns separated by '|'. Throws with
    /// psql's error and the log tail when the statement fails or the server cannot be reached.
    /// </summary>
    public string Psql(string sql, string database = "postgres")
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var conninfo = $"host=127.0.0.1 port={Port} user={Superuser} dbname={database} connect_timeout=10";
        var result = Run(
            _binaries.Psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql], asServiceUser: false, "psql");
        if (result.ExitCode != 0)
        {
            throw Failure($"psql failed on port {Port}: {sql}", result);
        }

        return result.Stdout.Trim();
    }

    /// <summary>Stops the server at once (immediate shutdown, or SIGKILL when that fails) and deletes its folder. Never throws.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (LiveServers)
        {
            LiveServers.Remove(this);
        }

        if (PostmasterPid is { } pid)
        {
            try
            {
                Run(_binaries.PgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], asServiceUser: true, "pg_ctl stop");
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
            {
                // Falls through to SIGKILL below.
            }

            if (ProcessRunner.IsAlive(pid) && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                try
                {
                    ProcessRunner.Signal(pid, UnixSignal.Kill);
                }
                catch (InvalidOperationException)
                {
                    // Gone in the meantime.
                }
            }
        }

        for (var attempt = 0; attempt < 5 && Directory.Exists(BaseDirectory); attempt++)
        {
            try
            {
                Directory.Delete(BaseDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A backend that is still exiting may be writing; try again shortly.
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// The binaries of the first directory of <paramref name="pathVariable"/> that holds initdb and pg_ctl, else of the
    /// highest version under <paramref name="libRoot"/> (Debian's /usr/lib/postgresql/N/bin). Symbolic links are
    /// followed, so psql is taken from the same installation as pg_ctl when it is there.
    /// </summary>
    internal static PostgresBinaries FindBinaries(string? pathVariable, string libRoot)
    {
        var candidates = (pathVariable ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .ToList();
        if (Directory.Exists(libRoot))
        {
            candidates.AddRange(Directory.GetDirectories(libRoot)
                .Select(dir => (Dir: dir, Version: decimal.TryParse(Path.GetFileName(dir), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1m))
                .Where(d => d.Version >= 0)
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin")));
        }

        foreach (var directory in candidates)
        {
            var initdb = Path.Combine(directory, "initdb");
            var pgCtl = Path.Combine(directory, "pg_ctl");
            if (!File.Exists(initdb) || !File.Exists(pgCtl))
            {
                continue;
            }

            pgCtl = RealPath(pgCtl);
            initdb = RealPath(initdb);
            var home = Path.GetDirectoryName(pgCtl)!;
            var psql = new[] { home, directory }.Concat(candidates)
                .Select(dir => Path.Combine(dir, "psql"))
                .FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException($"{NotInstalled} (initdb and pg_ctl are in {directory}, but there is no psql)");
            return new PostgresBinaries(home, initdb, pgCtl, psql);
        }

        throw new InvalidOperationException(NotInstalled);
    }

    private static string RealPath(string path) =>
        File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);

    /// <summary>
    /// A new empty folder for the server. As root it is under /tmp (which every user can traverse), mode 0755 and owned by
    /// the service user, so that initdb, running as that user, can create the data directory, the log and the socket in it.
    /// </summary>
    private static string CreateBaseDirectory(string? runAs)
    {
        if (runAs is null)
        {
            return Directory.CreateTempSubdirectory("tradesim-pg-").FullName;
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("running PostgreSQL as another user is done on Linux only");
        }

        var path = Path.Combine("/tmp", $"tradesim-pg-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(
            path,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var chown = ProcessRunner.Run("chown", ["-R", $"{runAs}:{runAs}", path], CommandTimeout);
        if (chown.ExitCode != 0)
        {
            Directory.Delete(path, recursive: true);
            throw new InvalidOperationException(
                $"the tests run as root, so PostgreSQL (which refuses root) must run as user '{runAs}', but chown to that user failed; "
                + $"Debian's postgresql package creates the user: run scripts/install-postgresql.sh\n{chown.Describe()}");
        }

        return path;
    }

    private static void Track(PostgresServer server)
    {
        lock (LiveServers)
        {
            LiveServers.Add(server);
            if (!_exitHookInstalled)
            {
                // A test run that ends without disposing a server (a crash, a forgotten using) must not leave it running.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    PostgresServer[] left;
                    lock (LiveServers)
                    {
                        left = [.. LiveServers];
                    }

                    foreach (var live in left)
                    {
                        live.Dispose();
                    }
                };
                _exitHookInstalled = true;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void InitDb()
    {
        var result = Run(
            _binaries.Initdb,
            ["-D", DataDirectory, "-A", "trust", "-U", Superuser, "-E", "UTF8", "--locale=C", "--no-sync"],
            asServiceUser: true,
            "initdb");
        if (result.ExitCode != 0)
        {
            throw Failure("initdb failed", result);
        }
    }

    /// <summary>The first start: a free port, and another one when a parallel test took it between the probe and the bind.</summary>
    private void StartOnFreePort()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            try
            {
                this.Start();
                return;
            }
            catch (InvalidOperationException) when (attempt < 5 && LogTail().Contains("could not bind", StringComparison.Ordinal))
            {
                // The port was taken in the meantime: try another one.
            }
        }
    }

    private void PgCtl(string what, params string[] arguments)
    {
        var result = Run(_binaries.PgCtl, arguments, asServiceUser: true, $"pg_ctl {what}");
        if (result.ExitCode != 0)
        {
            throw Failure($"pg_ctl {what} failed (port {Port}, data {DataDirectory})", result);
        }
    }

    /// <summary>
    /// Runs a PostgreSQL program with a clean PG* environment and C locale; as the service user when
    /// <paramref name="asServiceUser"/> and this process is root.
    /// </summary>
    private ProcessResult Run(string program, IEnumerable<string> arguments, bool asServiceUser, string what)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal) { ["LC_ALL"] = "C", ["LANG"] = "C" };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("PG", StringComparison.Ordinal)))
        {
            environment[name] = null;
        }

        var (file, argumentList) = asServiceUser && _runAs is not null
            ? ("runuser", new[] { "-u", _runAs, "--", program }.Concat(arguments))
            : (program, arguments);
        try
        {
            return ProcessRunner.Run(file, argumentList, CommandTimeout, workingDirectory: BaseDirectory, environment);
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{what} timed out\n{e.Message}\n{LogSection()}", e);
        }
    }

    private InvalidOperationException Failure(string what, ProcessResult result) =>
        new($"{what}\n{result.Describe()}\n{LogSection()}");

    private string LogSection() => $"--- PostgreSQL log {LogPath} (last {LogTailLines} lines) ---\n{LogTail()}";

    private string LogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogPath, Encoding.UTF8);
            return lines.Length == 0 ? "(empty)" : string.Join('\n', lines.TakeLast(LogTailLines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(no log: {e.Message})";
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SimpleName();
}

/// <summary>Where the PostgreSQL programs a <see cref="PostgresServer"/> runs are.</summary>
/// <param name="Directory">The folder of pg_ctl, symbolic links followed.</param>
/// <param name="Initdb">initdb.</param>
/// <param name="PgCtl">pg_ctl.</param>
/// <param name="Psql">psql.</param>
internal sealed record PostgresBinaries(string Directory, string Initdb, string PgCtl, string Psql);
