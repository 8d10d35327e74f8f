using Microsoft.Data.Sqlite;
using TradeSim.Client.Commands;
using TradeSim.Client.Scenarios;
using TradeSim.Grains.Runs;
using TradeSim.Kernel.Scenarios;
using TradeSim.Tests.Shared;

namespace TradeSim.Client.Tests;

/// <summary>
/// One source of inputs (issue 12, item 1): bundled scenarios are read from one folder whatever the working folder,
/// `extends: baseline` in a user's file reads that bundled baseline, and a batch refuses two different texts of one
/// file (a what-if over an edited copy of the baseline compared with the bundled one) before it writes anything.
/// </summary>
public sealed class ScenarioSourceTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    /// <summary>A what-if of the user's: the Nam Giang upgrade under another name, over the baseline its `extends` names.</summary>
    private static string WhatIf(string extends, string name) =>
        $"extends: {extends}\nname: {name}\ngates:\n  nam-giang:\n    vn: {{ lanes: 4 }}\n";

    // ---- (a) `extends: baseline` ------------------------------------------------------------------------------------

    [Fact]
    public void UserFile_ExtendsBaselineByName_ReadsTheBundledBaseline_EvenBesideAnotherBaselineYaml()
    {
        var dir = temp.NewDirectory("by-name");
        // A different baseline.yaml beside the user's file: the name `baseline` is the bundled one, not this file.
        TempDirectoryFixture.WriteFile(dir, "baseline.yaml", Scenarios.EditBaseline("holding_capacity: 60 ", "holding_capacity: 61 ").Text);
        var mine = TempDirectoryFixture.WriteFile(dir, "mine.yaml", WhatIf("baseline", "mine"));

        var validate = Cli.Run("validate", mine);
        var errors = new List<ScenarioError>();
        var file = ScenarioFiles.Load(mine, errors);

        Assert.True(validate.ExitCode == ExitCodes.Success, validate.Describe());
        Assert.True(file is not null, string.Join('\n', errors));
        Assert.Equal(2, file.Layers.Count);
        Assert.Equal(Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml"), file.LayerPaths[0]);
        Assert.Equal(File.ReadAllText(Path.Combine(ScenarioFiles.BundledDirectory, "baseline.yaml")), file.Layers[0].Text);
    }

    [Fact]
    public void Batch_BundledBaselineAndAUserFileThatExtendsBaselineByName_RunsBothOnOneBaselineText()
    {
        var dir = temp.NewDirectory("by-name-batch");
        var mine = TempDirectoryFixture.WriteFile(dir, "mine.yaml", WhatIf("baseline", "mine"));
        var db = Path.Combine(dir, "results.db");

        BatchJson.Run("batch", ["baseline", mine, "--replications", "2", .. BatchCommandTests.ShortRuns, "--db", db, "--json"]);

        var stored = StoredLayers(db);
        Assert.Equal(["baseline", "mine"], stored.Keys.Order(StringComparer.Ordinal).ToArray());
        var bundledText = File.ReadAllText(Scenarios.BaselinePath);
        Assert.Equal(bundledText, stored["baseline"][0].Text);
        Assert.Equal(bundledText, stored["mine"][0].Text);
        Assert.Contains("lanes: 4", stored["mine"][1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_AnUnknownName_ListsTheBundledScenarios()
    {
        var mine = temp.WriteFile("unknown.yaml", WhatIf("basline", "mine"));

        var result = Cli.Run("validate", mine);

        var error = ErrorAssert.Rejected(result, "unknown.yaml", 1, "file not found:");
        Assert.Contains("bundled scenarios: baseline, ", error.Message, StringComparison.Ordinal);
    }

    // ---- (b) one bundled folder, whatever the working folder ---------------------------------------------------------

    [Fact]
    public void BundledDirectory_IsBesideTheExecutable_AndHoldsTheRepositorysScenariosByteForByte()
    {
        var bundled = ScenarioFiles.BundledDirectory;
        var repository = Path.Combine(Repository.Root, "scenarios");

        Assert.True(Path.IsPathFullyQualified(bundled), bundled);
        Assert.Equal(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "scenarios")), bundled);
        var names = Directory.GetFiles(repository, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(names, Directory.GetFiles(bundled, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(repository, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(bundled, name!))), $"{name}: the bundled copy differs from the repository's: rebuild");
        }
    }

    [Fact]
    public void Cli_FromAnotherWorkingFolder_WithScenariosOfItsOwn_ReadsTheSameBundledFiles()
    {
        // A working folder with a `scenarios/` folder of broken look-alikes: reading any of them would fail.
        var work = temp.NewDirectory("elsewhere");
        var decoys = Directory.CreateDirectory(Path.Combine(work, "scenarios")).FullName;
        foreach (var bundled in Directory.GetFiles(ScenarioFiles.BundledDirectory, "*.yaml"))
        {
            File.WriteAllText(Path.Combine(decoys, Path.GetFileName(bundled)), "name: decoy\ndescription: read from the working folder\ngates: [\n");
        }

        var cli = typeof(TradeSimCli).Assembly.Location;
        var listing = ProcessRunner.Run("dotnet", [cli, "scenarios"], TimeSpan.FromMinutes(2), workingDirectory: work);
        var validate = ProcessRunner.Run("dotnet", [cli, "validate", "baseline", "nam-giang-upgrade"], TimeSpan.FromMinutes(2), workingDirectory: work);
        var inProcess = Cli.Run("scenarios");

        Assert.True(listing.ExitCode == 0, listing.Describe());
        Assert.True(inProcess.ExitCode == 0, inProcess.Describe());
        Assert.Equal(inProcess.Stdout, listing.Stdout);
        Assert.DoesNotContain("decoy", listing.Stdout, StringComparison.Ordinal);
        Assert.True(validate.ExitCode == 0, validate.Describe());
        Assert.Equal("ok: baseline\nok: nam-giang-upgrade\n", validate.Stdout);
    }

    [Fact]
    public void FindBundledDirectory_BesideTheExecutable_ElseTheCheckoutAbove_NeverTheWorkingFolder()
    {
        var checkout = temp.NewDirectory("checkout");
        File.WriteAllText(Path.Combine(checkout, "TradeSim.sln"), string.Empty);
        var source = Directory.CreateDirectory(Path.Combine(checkout, "scenarios")).FullName;
        var binary = Directory.CreateDirectory(Path.Combine(checkout, "client", "bin", "Release", "net10.0")).FullName;
        var installed = Directory.CreateDirectory(Path.Combine(checkout, "tool")).FullName;
        var beside = Directory.CreateDirectory(Path.Combine(installed, "scenarios")).FullName;
        var nowhere = temp.NewDirectory("no-checkout");

        Assert.Equal(source, ScenarioFiles.FindBundledDirectory(binary));
        Assert.Equal(beside, ScenarioFiles.FindBundledDirectory(installed));
        Assert.Equal(Path.Combine(nowhere, "scenarios"), ScenarioFiles.FindBundledDirectory(nowhere));
    }

    // ---- (c, d) two texts of one file in a batch --------------------------------------------------------------------

    [Fact]
    public void Batch_WhatIfOverAModifiedCopyOfTheBaseline_IsRefusedNamingBothFiles_AndCreatesNoDatabase()
    {
        var dir = temp.NewDirectory("modified-copy");
        var (edited, line) = Scenarios.EditBaseline("holding_capacity: 60 ", "holding_capacity: 61 ");
        var copy = TempDirectoryFixture.WriteFile(dir, "baseline.yaml", edited);
        var mine = TempDirectoryFixture.WriteFile(dir, "mine.yaml", WhatIf("./baseline.yaml", "mine"));
        var db = Path.Combine(dir, "results.db");

        var result = Cli.Run(["batch", "baseline", mine, "--replications", "2", .. BatchCommandTests.ShortRuns, "--db", db]);

        var error = ErrorAssert.Rejected(result, "baseline.yaml", line, "two different texts of baseline.yaml in one batch");
        Assert.Single(result.StderrLines);
        Assert.Equal(copy, Path.GetFullPath(error.File));
        Assert.Contains($"'{ScenarioFiles.Display(Scenarios.BaselinePath)}' (bundled) and '{error.File}' differ at line {line}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"write `extends: baseline` in '{ScenarioFiles.Display(mine)}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists(db), $"a refused batch created {db}");
        Assert.Empty(Directory.GetFiles(dir, "results.db*"));
    }

    [Fact]
    public void Batch_AModifiedCopyOfTheBaselineNamedBesideABundledWhatIf_IsRefused()
    {
        var dir = temp.NewDirectory("modified-named");
        var (edited, line) = Scenarios.EditBaseline("holding_capacity: 60 ", "holding_capacity: 61 ");
        var copy = TempDirectoryFixture.WriteFile(dir, "baseline.yaml", edited);
        var db = Path.Combine(dir, "results.db");

        var result = Cli.Run(["batch", copy, "nam-giang-upgrade", "--replications", "2", .. BatchCommandTests.ShortRuns, "--db", db]);

        var error = ErrorAssert.Rejected(result, "baseline.yaml", line, "two different texts of baseline.yaml in one batch");
        Assert.Contains($"name `baseline` on the command line instead of '{ScenarioFiles.Display(copy)}'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(db), $"a refused batch created {db}");
    }

    [Fact]
    public void Batch_WhatIfOverAnIdenticalCopyOfTheBaseline_IsAccepted()
    {
        var dir = temp.NewDirectory("identical-copy");
        File.Copy(Scenarios.BaselinePath, Path.Combine(dir, "baseline.yaml"));
        var mine = TempDirectoryFixture.WriteFile(dir, "mine.yaml", WhatIf("./baseline.yaml", "mine"));
        var db = Path.Combine(dir, "results.db");

        BatchJson.Run("batch", ["baseline", mine, "--replications", "2", .. BatchCommandTests.ShortRuns, "--db", db, "--json"]);

        var stored = StoredLayers(db);
        Assert.Equal(stored["baseline"][0].Text, stored["mine"][0].Text);
    }

    [Fact]
    public void Batch_TwoWhatIfsOfOneFileNameInTwoFolders_AreTwoScenarios_NotTwoTextsOfOneFile()
    {
        var dir = temp.NewDirectory("two-folders");
        var first = TempDirectoryFixture.WriteFile(Directory.CreateDirectory(Path.Combine(dir, "v1")).FullName, "upgrade.yaml", WhatIf("baseline", "upgrade-v1"));
        var second = TempDirectoryFixture.WriteFile(Directory.CreateDirectory(Path.Combine(dir, "v2")).FullName, "upgrade.yaml", WhatIf("baseline", "upgrade-v2").Replace("lanes: 4", "lanes: 3", StringComparison.Ordinal));
        var db = Path.Combine(dir, "results.db");

        BatchJson.Run("batch", ["baseline", first, second, "--replications", "2", .. BatchCommandTests.ShortRuns, "--db", db, "--json"]);

        Assert.Equal(3, StoredLayers(db).Count);
    }

    /// <summary>Every stored scenario of the database's batches by name, with its layers.</summary>
    private static Dictionary<string, IReadOnlyList<ScenarioSource>> StoredLayers(string db)
    {
        using var connection = BatchDb.OpenReadOnly(db);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT s.name, t.layers_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash ORDER BY s.batch_id, s.position";
        using SqliteDataReader reader = command.ExecuteReader();
        var layers = new Dictionary<string, IReadOnlyList<ScenarioSource>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            layers[reader.GetString(0)] = ScenarioText.FromJson(reader.GetString(1));
        }

        return layers;
    }
}
