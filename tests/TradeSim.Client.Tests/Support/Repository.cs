namespace TradeSim.Client.Tests;

/// <summary>The checkout the tests were built from: its scripts are run as a user would run them.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TradeSim.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository (TradeSim.sln) was not found above the test folder");
    }
}
