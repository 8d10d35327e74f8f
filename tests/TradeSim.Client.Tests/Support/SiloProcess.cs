using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// A `tradesim-silo` process started by a test: `dotnet tradesim-silo.dll --cluster ... --silo-port P --gateway-port G`,
/// its stdout and stderr going straight to a log file (the process writes it itself, so nothing is lost when the test
/// process is busy, and the log survives SIGKILL up to the last line written). Each silo gets ports of its own.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;

    private SiloProcess(Process process, string name, string logPath, int siloPort, int gatewayPort)
    {
        _process = process;
        Name = name;
        LogPath = logPath;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The silo's Orleans address without its generation, as the membership table and results show it.</summary>
    public string AddressPrefix => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{SiloPort}@");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The dotnet host that runs the tests (set by `dotnet test`), else the one on PATH.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>tradesim-silo.dll, built next to the tests (the test project references the silo host).</summary>
    public static string Dll
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "tradesim-silo.dll");
            return File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "tradesim-silo.runtimeconfig.json"))
                ? local
                : throw new InvalidOperationException($"tradesim-silo.dll (with its runtimeconfig) is not in {AppContext.BaseDirectory}: build the solution first");
        }
    }

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
    /// (the one signals reach). <paramref name="connection"/> null leaves `--cluster` out (the silo reads TRADESIM_CLUSTER).
    /// </summary>
    public static SiloProcess Start(string? connection, string name, int workers, string logPath, IReadOnlyDictionary<string, string?>? environment = null, int? siloPort = null, int? gatewayPort = null)
    {
        var ports = (Silo: siloPort ?? FreePorts.Next(), Gateway: gatewayPort ?? FreePorts.Next());
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >\"$TRADESIM_TEST_SILO_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(Host);
        start.ArgumentList.Add(Dll);
        var args = new List<string>();
        if (connection is not null)
        {
            args.AddRange(["--cluster", connection]);
        }

        args.AddRange(["--name", name, "--workers", workers.ToString(CultureInfo.InvariantCulture), "--silo-port", ports.Silo.ToString(CultureInfo.InvariantCulture), "--gateway-port", ports.Gateway.ToString(CultureInfo.InvariantCulture)]);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TRADESIM_TEST_SILO_LOG"] = logPath;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment.Remove("TRADESIM_CLUSTER");
        start.Environment.Remove(Grains.Runs.RunOptions.CrashOnScenarioVariable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh for a silo");
        process.StandardInput.Close();
        return new SiloProcess(process, name, logPath, ports.Silo, ports.Gateway);
    }

    public void Signal(UnixSignal signal) => ProcessRunner.Signal(Pid, signal);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit();
        return true;
    }

    /// <summary>Sends a signal and waits (up to a minute) for the process to exit.</summary>
    public void Stop(UnixSignal signal)
    {
        Signal(signal);
        Assert.True(WaitForExit(TimeSpan.FromSeconds(60)), $"tradesim-silo {Name} did not exit after {signal}\n{Log}");
    }

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
/// Ports for the silos of the tests: free when handed out (nothing listens) and never handed out twice in this test
/// process, so silos started close together do not race for one port.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
