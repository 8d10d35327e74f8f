using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TradeSim.Tests.Shared;

/// <summary>What a process that ran to the end printed, and how it ended.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Stdout">Everything written to stdout.</param>
/// <param name="Stderr">Everything written to stderr.</param>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The exit code and both streams, for assertion and exception messages.</summary>
    public string Describe() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout.TrimEnd()}\n--- stderr ---\n{Stderr.TrimEnd()}";
}

/// <summary>POSIX signal numbers (Linux, x86-64 and arm64) for <see cref="ProcessRunner.Signal"/>.</summary>
public enum UnixSignal
{
    /// <summary>Probes that a process exists (and may be signalled) without signalling it.</summary>
    None = 0,

    /// <summary>SIGINT, what Ctrl-C sends.</summary>
    Interrupt = 2,

    /// <summary>SIGKILL: ends the process at once; it cannot be caught.</summary>
    Kill = 9,

    /// <summary>SIGTERM: asks the process to shut down.</summary>
    Terminate = 15,

    /// <summary>SIGCONT: resumes a stopped process.</summary>
    Continue = 18,

    /// <summary>SIGSTOP: freezes the process until SIGCONT; it cannot be caught.</summary>
    Stop = 19,
}

/// <summary>Runs external processes with a timeout and captured output, and signals processes.</summary>
public static class ProcessRunner
{
    /// <summary>Whether this process runs as root (effective user id 0).</summary>
    public static bool IsRoot => NativeMethods.geteuid() == 0;

    /// <summary>
    /// Runs <paramref name="fileName"/> to the end and returns its exit code and output. When it has not finished after
    /// <paramref name="timeout"/>, it is killed with every process it started and a <see cref="TimeoutException"/> with
    /// what it printed so far is thrown. A non-zero exit code is returned, not thrown.
    /// </summary>
    /// <param name="fileName">The program: a path, or a name looked up on PATH.</param>
    /// <param name="arguments">The arguments, each passed as is (no shell, no quoting).</param>
    /// <param name="timeout">How long the process may run.</param>
    /// <param name="workingDirectory">The directory to start it in; the current one when null.</param>
    /// <param name="environment">Variables to set (a null value removes the variable) on top of this process's environment.</param>
    /// <param name="input">Text written to its stdin, which is then closed; stdin is empty when null.</param>
    public static ProcessResult Run(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? input = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {fileName}");

        // Both streams are drained concurrently: a full pipe would otherwise stall the process.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();

        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            var partial = new ProcessResult(-1, Drained(stdout), Drained(stderr));
            throw new TimeoutException(
                $"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s and was killed\n{partial.Describe()}");
        }

        // A grandchild that kept the pipes open (a daemon that did not redirect its output) must not hang the caller.
        if (!Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(10)))
        {
            return new ProcessResult(process.ExitCode, Drained(stdout), Drained(stderr) + "\n(output still open after the process exited; not read to the end)");
        }

        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; throws when kill(2) fails.</summary>
    public static void Signal(int pid, UnixSignal signal)
    {
        if (NativeMethods.kill(pid, (int)signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {(int)signal} {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Whether a process with id <paramref name="pid"/> exists (a zombie that was not reaped yet counts).</summary>
    public static bool IsAlive(int pid)
    {
        const int eperm = 1;
        return pid > 0 && (NativeMethods.kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == eperm);
    }

    private static string Drained(Task<string> stream) =>
        stream.Wait(TimeSpan.FromSeconds(5)) ? stream.Result : "(output not available)";

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int kill(int pid, int sig);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();
    }
}
