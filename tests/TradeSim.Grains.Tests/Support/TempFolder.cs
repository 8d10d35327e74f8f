using System.Globalization;

namespace TradeSim.Grains.Tests.Support;

/// <summary>A fresh temporary folder, deleted with everything in it on dispose (best effort).</summary>
public sealed class TempFolder : IDisposable
{
    private int _counter;

    public TempFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "tradesim-grain-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The path of a new SQLite file (not created yet) in this folder.</summary>
    public string NewDatabasePath(string hint) =>
        Path.Combine(Root, Interlocked.Increment(ref _counter).ToString("D3", CultureInfo.InvariantCulture) + "-" + hint + ".db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
