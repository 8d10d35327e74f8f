using System.Text;
using TradeSim.Client.Commands;

Console.OutputEncoding = new UTF8Encoding(false);
using var stdoutStream = Console.OpenStandardOutput();
return new TradeSimCli(Console.Out, Console.Error, stdoutStream).Invoke(args);
