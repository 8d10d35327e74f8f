using System.Globalization;

namespace TradeSim.Client.Tests;

/// <summary>A fresh temporary folder for one test class, deleted with everything in it when the class is done.</summary>
public sealed class TempDirectoryFixture : IDisposable
{
    private int _counter;

    public TempDirectoryFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "tradesim-client-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A new, empty sub-folder, so that tests sharing the fixture never see each other's files.</summary>
    public string NewDirectory(string hint)
    {
        var n = Interlocked.Increment(ref _counter);
        var path = Path.Combine(Root, n.ToString("D3", CultureInfo.InvariantCulture) + "-" + hint);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to a file in a new sub-folder and returns its full path.</summary>
    public string WriteFile(string fileName, string text) => WriteFile(NewDirectory(Path.GetFileNameWithoutExtension(fileName)), fileName, text);

    public static string WriteFile(string directory, string fileName, string text)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, text);
        return path;
    }

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
    }
}
