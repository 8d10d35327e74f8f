using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// A `tradesim-silo` process started by a test: `dotnet tradesim-silo.dll --cluster ...`, its stdout and stderr going
/// straight to a log file (the process writes it itself, so nothing is lost when the test process is busy and the log
/// survives SIGKILL up to the last line written).
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, string name, string logPath)
    {
        _process = process;
        Name = name;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the silo logged so far.</summary>
    public string Log
    {
        get
        {
            try
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                return reader.ReadToEnd();
            }
            catch (IOException e)
            {
                return $"(no log: {e.Message})";
            }
        }
    }

    /// <summary>
    /// Starts a silo. The shell only redirects and then execs dotnet, so <see cref="Pid"/> is the silo's own process id
    /// (the one that signals reach and that the silos table records).
    /// </summary>
    public static SiloProcess Start(string siloDll, string connectionString, string name, int workers, double leaseSeconds, string logPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >\"$TRADESIM_TEST_SILO_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("dotnet");
        foreach (var argument in new[]
        {
            siloDll, "--cluster", connectionString, "--name", name, "--workers", workers.ToString(CultureInfo.InvariantCulture),
            "--lease-seconds", leaseSeconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TRADESIM_TEST_SILO_LOG"] = logPath;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("TRADESIM_CLUSTER");
        start.Environment.Remove(TradeSim.Silo.Cluster.ClusterSiloService.CrashScenarioVariable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh for a silo");
        process.StandardInput.Close();
        return new SiloProcess(process, name, logPath);
    }

    public void Signal(UnixSignal signal) => ProcessRunner.Signal(Pid, signal);

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Kills the silo if it still runs (resuming it first, should it be stopped); never throws.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                ProcessRunner.Signal(Pid, UnixSignal.Continue);
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone in the meantime.
        }

        _process.Dispose();
    }
}

/// <summary>
/// The silos of one test: starts them with logs in a temporary folder, reads the cluster database, and on
/// <see cref="Dispose"/> kills whatever still runs and deletes the logs.
/// </summary>
public sealed class ClusterHarness : IDisposable
{
    private readonly List<SiloProcess> _silos = [];

    public ClusterHarness(string connectionString)
    {
        ConnectionString = connectionString.Replace("Pooling=false", "Pooling=true", StringComparison.OrdinalIgnoreCase); // the cluster is used as users would: pooled

        // The schema first (as `tradesim` and every silo do on start), so the test can query it before any silo joins.
        TradeSim.Silo.Cluster.ClusterDatabase.FromConnectionString(connectionString).Prepare();
        LogDirectory = Directory.CreateTempSubdirectory("tradesim-silo-logs-").FullName;
    }

    public string ConnectionString { get; }

    public string LogDirectory { get; }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>
    /// The silo executable: the copy built next to the tests (the client references the silo project), else
    /// silo/TradeSim.Silo/bin/Release/net10.0/tradesim-silo.dll in the repository above the test assembly.
    /// </summary>
    public static string SiloDll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "tradesim-silo.dll");
            if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "tradesim-silo.runtimeconfig.json")))
            {
                return local;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "silo", "TradeSim.Silo", "bin", "Release", "net10.0", "tradesim-silo.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"tradesim-silo.dll is neither in {AppContext.BaseDirectory} nor under silo/TradeSim.Silo/bin/Release/net10.0 of a folder above it: build the solution first");
        }
    }

    /// <summary>Starts a silo; <see cref="WaitForMembers"/> waits until it has joined.</summary>
    public SiloProcess Start(string name, int workers, double leaseSeconds, IReadOnlyDictionary<string, string>? environment = null)
    {
        var silo = SiloProcess.Start(SiloDll, ConnectionString, name, workers, leaseSeconds, Path.Combine(LogDirectory, name + ".log"), environment);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Waits until every given silo has a row in the silos table (it joined) and returns their ids by name.</summary>
    public Dictionary<string, Guid> WaitForMembers(TimeSpan timeout, params SiloProcess[] silos)
    {
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        WaitUntil(timeout, $"silos {string.Join(", ", silos.Select(s => s.Name))} to join the cluster", () =>
        {
            foreach (var silo in silos)
            {
                Assert.False(silo.HasExited, $"silo {silo.Name} exited with code {(silo.HasExited ? silo.ExitCode : 0)} before joining\n{Logs()}");
                if (!ids.ContainsKey(silo.Name) && Scalar<object>($"SELECT id FROM silos WHERE pid = {silo.Pid} AND name = '{silo.Name}'") is Guid id)
                {
                    ids[silo.Name] = id;
                }
            }

            return ids.Count == silos.Length;
        });
        return ids;
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails with every silo's log when it is not met in time.</summary>
    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}\n{Describe()}");
            }

            Thread.Sleep(50);
        }
    }

    public NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public T? Scalar<T>(string sql)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand(sql, connection);
        var value = command.ExecuteScalar();
        return value is DBNull or null ? default : (T)value;
    }

    public long Count(string sql) => Scalar<long>(sql);

    /// <summary>Every row of a query, each column converted with <see cref="Convert.ToString(object, IFormatProvider)"/> (timestamps as round-trip UTC).</summary>
    public List<object?[]> Rows(string sql)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A query's rows as text, one line each, for assertion messages.</summary>
    public string Table(string sql)
    {
        try
        {
            return string.Join('\n', Rows(sql).Select(r => string.Join(" | ", r.Select(v => v switch
            {
                null => "NULL",
                DateTime d => d.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture),
            }))));
        }
        catch (NpgsqlException e)
        {
            return $"(cannot read the cluster database: {e.Message})";
        }
    }

    /// <summary>Every silo's log, headed by its name, pid and state.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var silo in _silos)
        {
            var state = silo.HasExited ? $"exited with code {silo.ExitCode}" : "running";
            text.Append(CultureInfo.InvariantCulture, $"--- silo {silo.Name} (pid {silo.Pid}, {state}) log {silo.LogPath} ---\n{silo.Log.TrimEnd()}\n");
        }

        return text.ToString();
    }

    /// <summary>The logs and the runs and leases as the database has them, for assertion messages.</summary>
    public string Describe() =>
        $"{Logs()}--- silos ---\n{Table("SELECT name, pid, id, workers, runs_done, heartbeat_at, stopped_at FROM silos ORDER BY started_at")}\n"
        + $"--- runs not done ---\n{Table("SELECT position, replication, state, attempt, failures, lease_owner, lease_expires_at, last_error FROM runs WHERE state <> 'done' ORDER BY replication, position LIMIT 40")}\n"
        + $"--- run_leases not done ---\n{Table("SELECT position, replication, attempt, silo_id, leased_at, ended_at, outcome FROM run_leases WHERE outcome IS DISTINCT FROM 'done' ORDER BY leased_at LIMIT 40")}\n";

    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        try
        {
            Directory.Delete(LogDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>
/// `tradesim` run in-process on a background thread (a client following a cluster batch). <see cref="Dispose"/>
/// stops it (as Ctrl-C would) if it still runs, so a failed test leaves no client polling a dropped database.
/// </summary>
public sealed class BackgroundCli : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    public BackgroundCli(string[] args)
    {
        Task = System.Threading.Tasks.Task.Factory.StartNew(() => Cli.Run(_cancel.Token, args), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public Task<CliResult> Task { get; }

    public bool IsCompleted => Task.IsCompleted;

    /// <summary>Waits for the command to finish; after <paramref name="timeout"/> it is stopped and the test fails with what it and the cluster show.</summary>
    public CliResult Wait(ClusterHarness cluster, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (!Task.Wait(timeout))
        {
            _cancel.Cancel();
            var stopped = Task.Wait(TimeSpan.FromSeconds(15)) ? Task.Result.Describe() : "(the client did not stop either)";
            Assert.Fail($"the batch did not complete within {timeout.TotalSeconds} s\n--- client ---\n{stopped}\n{cluster.Describe()}");
        }

        return Task.Result;
    }

    public void Dispose()
    {
        if (!Task.IsCompleted)
        {
            _cancel.Cancel();
            try
            {
                Task.Wait(TimeSpan.FromSeconds(15));
            }
            catch (AggregateException)
            {
                // The test has failed already; this only stops the client.
            }
        }

        _cancel.Dispose();
    }
}
