using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace TradeSim.Silo.Hosting;

/// <summary>
/// What a cluster silo does when Orleans meets an error it cannot go on from (above all: the cluster declared this
/// silo dead while it was frozen or cut off). Orleans' own handler calls Environment.FailFast, which prints a runtime
/// crash report and a stack trace and ends with SIGABRT (exit 134). This one logs why in one line and ends the
/// process at once with exit code 1: no graceful shutdown, since the cluster has already given this silo's runs to
/// others and a dead silo must not touch them, but a message a person can read and a code a supervisor restarts on.
/// </summary>
internal sealed partial class LeaveOnFatalError(ILogger<LeaveOnFatalError> logger) : IFatalErrorHandler
{
    public const int ExitCode = 1;

    /// <summary>Every exception that reaches the handler is fatal: Orleans asks only about the ones it cannot handle.</summary>
    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        LogFatal(logger, context ?? "(no context)", exception is null ? "no exception" : $"{exception.GetType().Name}: {exception.Message}");
        Console.Out.Flush();
        Console.Error.Flush();
        NativeMethods.Exit(ExitCode);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "silo stopped by Orleans: {Context}: {Reason}: exit 1")]
    private static partial void LogFatal(ILogger logger, string context, string reason);

    private static class NativeMethods
    {
        // _exit(2): the process ends here, without the runtime's or the host's shutdown handlers (which would try to
        // stop a silo the cluster has already removed, and wait for it).
        [DllImport("libc", EntryPoint = "_exit")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void Exit(int status);
    }
}
