using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Tests;

public class GenerateCommandTests
{
    [Fact]
    public void Generate_WritesAValidScenarioOfTheAskedSize_ThatMovesTrucksAndBalances()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "world.yaml");

        var result = Cli.Run("generate", "--gates", "4", "--provinces", "9", "--trucks", "1000", "--out", path, "--days", "3");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("wrote", result.Stderr, StringComparison.Ordinal);
        var parsed = ScenarioParser.Parse("world.yaml", File.ReadAllText(path));
        Assert.True(parsed.Succeeded, string.Join('\n', parsed.Errors));
        var definition = parsed.Definition!;
        Assert.Equal(4, definition.Gates.Count);
        Assert.Equal(9, definition.Nodes.Count(n => n.Country == "vn"));
        Assert.Equal(1000, definition.Carriers.Sum(c => c.Trucks));

        var network = CompiledNetwork.Compile(definition, [])!;
        var run = new Simulation(network, 1, 0).Run();
        Assert.True(run.Conservation.Balances);
        Assert.All(run.Gates, g => Assert.True(g.Trucks > 0, $"gate {g.Id} carried no truck"));
        Assert.InRange(run.Gates.Average(g => g.Utilisation), 0.3, 0.9);
    }

    [Fact]
    public void Generate_SameSizeAndSeed_SameText_OtherSeedDiffers()
    {
        var a = WorldGenerator.Generate(new WorldSize(3, 5, 200, 7));
        var b = WorldGenerator.Generate(new WorldSize(3, 5, 200, 7));
        var c = WorldGenerator.Generate(new WorldSize(3, 5, 200, 8));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("0", "5", "100", "--gates must be a whole number from 1 to 2147483647, not '0'")]
    [InlineData("2", "0", "100", "--provinces must be a whole number from 1 to 2147483647, not '0'")]
    [InlineData("2", "50", "10", "--trucks must be at least the number of provinces")]
    public void Generate_BadSize_Exits2WithAMessage_AndWritesNothing(string gates, string provinces, string trucks, string message)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "world.yaml");

        var result = Cli.Run("generate", "--gates", gates, "--provinces", provinces, "--trucks", trucks, "--out", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("tradesim-generate-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
