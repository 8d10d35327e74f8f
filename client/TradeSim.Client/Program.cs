using System.Runtime.InteropServices;
using System.Text;
using TradeSim.Client.Commands;

using var telemetry = TradeSim.Silo.Telemetry.TelemetrySetup.Start("tradesim");
Console.OutputEncoding = new UTF8Encoding(false);
using var stdoutStream = Console.OpenStandardOutput();

// Ctrl-C and SIGTERM ask the running command to stop cleanly (a batch keeps its finished runs); a second Ctrl-C
// ends the process at once.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

return new TradeSimCli(Console.Out, Console.Error, stdoutStream, stderrIsTerminal: !Console.IsErrorRedirected, stop.Token).Invoke(args);
