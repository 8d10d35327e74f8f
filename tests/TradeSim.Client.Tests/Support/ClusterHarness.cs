using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace TradeSim.Client.Tests;

/// <summary>
/// The cluster of one test: its database (schema prepared, as `tradesim` and every silo do on start), its silos with
/// logs in a temporary folder, and queries on Orleans' membership table and TradeSim's runs. <see cref="Dispose"/> kills
/// whatever still runs and deletes the logs.
/// </summary>
public sealed class ClusterHarness : IDisposable
{
    /// <summary>Orleans' status values in the membership table.</summary>
    public const int Active = 3, Dead = 6;

    private readonly List<SiloProcess> _silos = [];

    public ClusterHarness(string connectionString)
    {
        ConnectionString = connectionString.Replace("Pooling=false", "Pooling=true", StringComparison.OrdinalIgnoreCase); // the cluster is used as users would: pooled
        TradeSim.Silo.Cluster.ClusterDatabase.FromConnectionString(connectionString).Prepare();
        LogDirectory = Directory.CreateTempSubdirectory("tradesim-silo-logs-").FullName;
    }

    public string ConnectionString { get; }

    public string LogDirectory { get; }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>Starts a silo on ports of its own; <see cref="WaitForActive"/> waits until it has joined.</summary>
    public SiloProcess Start(string name, int workers, IReadOnlyDictionary<string, string?>? environment = null, int? siloPort = null, int? gatewayPort = null)
    {
        var silo = SiloProcess.Start(ConnectionString, name, workers, Path.Combine(LogDirectory, $"{name}-{_silos.Count}.log"), environment, siloPort, gatewayPort);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Waits until every given silo is Active in Orleans' membership table.</summary>
    public void WaitForActive(TimeSpan timeout, params SiloProcess[] silos) =>
        WaitUntil(timeout, $"silos {string.Join(", ", silos.Select(s => s.Name))} to be active in the cluster", () =>
        {
            foreach (var silo in silos)
            {
                Assert.False(silo.HasExited, $"silo {silo.Name} exited with code {(silo.HasExited ? silo.ExitCode : 0)} before joining\n{Logs()}");
            }

            return silos.All(s => Status(s) == Active);
        });

    /// <summary>The membership status of a silo's newest row (its port), or 0 when it has none yet.</summary>
    public int Status(SiloProcess silo) =>
        Scalar<int>(FormattableString.Invariant($"SELECT status FROM orleansmembershiptable WHERE port = {silo.SiloPort} ORDER BY generation DESC LIMIT 1"));

    /// <summary>A silo's Orleans address (ip:port@generation), as results record it.</summary>
    public string Address(SiloProcess silo) =>
        Scalar<string>(FormattableString.Invariant($"SELECT address || ':' || port || '@' || generation FROM orleansmembershiptable WHERE port = {silo.SiloPort} ORDER BY generation DESC LIMIT 1"))
        ?? throw new InvalidOperationException($"silo {silo.Name} has no membership row");

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails with every silo's log when it is not met in time.</summary>
    public void WaitUntil(TimeSpan timeout, string what, Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!Holds(condition))
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
        return value is DBNull or null ? default : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }

    public long Count(string sql) => Scalar<long>(sql);

    public long DoneRuns() => Count("SELECT count(*) FROM runs WHERE state = 'done'");

    /// <summary>Every row of a query, each column as the reader gives it (null for SQL NULL).</summary>
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
            text.Append(CultureInfo.InvariantCulture, $"--- silo {silo.Name} (pid {silo.Pid}, ports {silo.SiloPort}/{silo.GatewayPort}, {state}) log {silo.LogPath} ---\n{silo.Log.TrimEnd()}\n");
        }

        return text.ToString();
    }

    /// <summary>The logs, the membership table and the runs not done, for assertion messages.</summary>
    public string Describe() =>
        $"{Logs()}--- membership ---\n{Table("SELECT siloname, address, port, generation, status, suspecttimes, iamalivetime FROM orleansmembershiptable ORDER BY starttime")}\n"
        + $"--- runs not done ---\n{Table("SELECT batch_id, position, replication, state, attempts, last_error FROM runs WHERE state <> 'done' ORDER BY replication, position LIMIT 40")}\n";

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

    /// <summary>Evaluates a condition on the cluster database; false while a table it reads does not exist yet.</summary>
    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
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

    /// <summary>Stops the command as Ctrl-C would and returns what it printed.</summary>
    public CliResult Stop()
    {
        _cancel.Cancel();
        Assert.True(Task.Wait(TimeSpan.FromSeconds(30)), "the client did not stop within 30 s of Ctrl-C");
        return Task.Result;
    }

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
