using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TradeSim.Client.Tests;

/// <summary>
/// `tradesim batch`, `compare` and `export`: reproducibility for any worker count, compare = batch, bad input that
/// leaves the result database alone, `--set`/`--sweep`/`--baseline`, the tidy export, common random numbers and the
/// `--precision` stopping rule.
/// </summary>
public sealed class BatchCommandTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    /// <summary>Short runs: two simulated months after a one-week warm-up.</summary>
    internal static readonly string[] ShortRuns = ["--set", "settings.days=60", "--set", "settings.warmup_days=7"];

    // ---- 1. Workers ----------------------------------------------------------------------------------------------

    [Fact]
    public void Batch_OneTwoAndThreeWorkers_GiveByteIdenticalScenariosJson()
    {
        var db = NewDb("workers");
        var results = new[] { "1", "2", "3" }
            .Select(w => BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "4", .. ShortRuns, "--workers", w, "--db", db, "--json"]))
            .ToList();

        var scenarios = results.Select(BatchJson.ScenariosText).ToList();
        Assert.Equal(scenarios[0], scenarios[1]);
        Assert.Equal(scenarios[0], scenarios[2]);

        // Three batches in one database, each complete with 4 replications of 2 scenarios.
        Assert.Equal([1L, 2L, 3L], results.Select(r => BatchJson.Id(r)).ToArray());
        using var json = JsonDocument.Parse(results[0].StdoutBytes);
        Assert.Equal(4, json.RootElement.GetProperty("replications").GetInt32());
        Assert.Equal("complete", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("scenarios").GetArrayLength());
        Assert.Equal(0, json.RootElement.GetProperty("unconserved_runs").GetInt64());
        for (var id = 1L; id <= 3; id++)
        {
            Assert.Equal((8L, 0L), BatchDb.RunCounts(db, id));
        }
    }

    [Fact]
    public void Batch_SameSeedTwice_GivesIdenticalScenarios_OtherSeedDiffers()
    {
        var db = NewDb("seeds");
        string Scenarios(string seed) =>
            BatchJson.ScenariosText(BatchJson.Run("batch", ["baseline", "--replications", "3", .. ShortRuns, "--seed", seed, "--db", db, "--json"]));

        var first = Scenarios("5");
        Assert.Equal(first, Scenarios("5"));
        Assert.NotEqual(first, Scenarios("6"));
    }

    // ---- 2. compare = batch --------------------------------------------------------------------------------------

    [Fact]
    public void Compare_StoredBatch_ReportsExactlyWhatBatchReported()
    {
        var db = NewDb("compare");
        var batchJson = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns, "--db", db, "--json"]);
        var id = BatchJson.Id(batchJson).ToString(CultureInfo.InvariantCulture);

        var compareJson = Cli.Run("compare", id, "--db", db, "--json");
        Assert.True(compareJson.ExitCode == 0, compareJson.Describe());
        Assert.NotEmpty(batchJson.StdoutBytes);
        Assert.Equal(batchJson.Json, compareJson.Json);
        Assert.Empty(compareJson.Stdout);

        var compareText = Cli.Run("compare", id, "--db", db);
        Assert.True(compareText.ExitCode == 0, compareText.Describe());
        Assert.Empty(compareText.StdoutBytes);
        Assert.StartsWith($"Batch {id} (complete): 2 scenarios x 3 replications, seed 1", compareText.Stdout, StringComparison.Ordinal);
        Assert.Contains("nam-giang-upgrade vs baseline (3 paired replications)", compareText.Stdout, StringComparison.Ordinal);

        // A second batch with the same inputs reports the same text, apart from its id.
        var batchText = Cli.Run(["batch", "baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns, "--db", db]);
        Assert.True(batchText.ExitCode == 0, batchText.Describe());
        var secondId = BatchIdFromStderr(batchText);
        var compareSecond = Cli.Run("compare", secondId.ToString(CultureInfo.InvariantCulture), "--db", db);
        Assert.True(compareSecond.ExitCode == 0, compareSecond.Describe());
        Assert.Equal(batchText.Stdout, compareSecond.Stdout);
        Assert.Equal(compareText.Stdout.Replace($"Batch {id} ", $"Batch {secondId} ", StringComparison.Ordinal), batchText.Stdout);
    }

    [Fact]
    public void Compare_TwoBatches_WritesAnArrayOfBothDocuments()
    {
        var db = NewDb("compare-two");
        var a = BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);
        var b = BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--seed", "2", "--db", db, "--json"]);

        var both = Cli.Run("compare", "1", "2", "--db", db, "--json");
        Assert.True(both.ExitCode == 0, both.Describe());
        using var json = JsonDocument.Parse(both.StdoutBytes);
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.Equal(2, json.RootElement.GetArrayLength());
        using var first = JsonDocument.Parse(a.StdoutBytes);
        using var second = JsonDocument.Parse(b.StdoutBytes);
        Assert.True(JsonElement.DeepEquals(first.RootElement, json.RootElement[0]), "compare 1 2: the first document differs from batch 1's");
        Assert.True(JsonElement.DeepEquals(second.RootElement, json.RootElement[1]), "compare 1 2: the second document differs from batch 2's");
        Assert.False(JsonElement.DeepEquals(json.RootElement[0].GetProperty("scenarios"), json.RootElement[1].GetProperty("scenarios")), "seeds 1 and 2 gave equal results");
        Assert.Equal(2UL, json.RootElement[1].GetProperty("seed").GetUInt64());
    }

    // ---- 5. Bad input leaves the database alone ------------------------------------------------------------------

    /// <summary>Bad `batch` command lines (after `batch`, without --db) and a fragment the error must hold.</summary>
    public static TheoryData<string[], string> BadBatchInputs() => new()
    {
        { ["baseline", "--replications", "2", "--set", "gates.nam-gian.vn.lanes=3"], "gates.nam-gian.vn.lanes" },
        { ["baseline", "--replications", "2", "--set", "gates.nam-giang.vn.lanez=3"], "lanez" },
        { ["baseline", "--replications", "2", "--set", "gates.nam-giang.vn.lanes=four"], "four" },
        { ["baseline", "--replications", "2", "--set", "nonsense"], "--set nonsense: expected PATH=VALUE" },
        { ["baseline", "--replications", "2", "--set", "extends=/etc/passwd"], "--set extends=/etc/passwd: 'extends' is not a scenario value" },
        { ["baseline", "--replications", "2", "--sweep", "extends.x=1..2"], "--sweep extends.x=1..2: 'extends' is not a scenario value" },
        { ["baseline", "--replications", "2", "--sweep", "gates.nam-giang.vn.lanes=4..1"], "4..1" },
        { ["baseline", "--replications", "2", "--sweep", "x=a..b"], "'a..b' is not a numeric range" },
        { ["baseline", "{malformed}", "--replications", "2"], "malformed.yaml:" },
        { ["baseline", "no-such-scenario.yaml", "--replications", "2"], "no-such-scenario.yaml" },
        { ["baseline", "nam-giang-upgrade", "--replications", "2", "--baseline", "nope"], "--baseline nope" },
        { ["baseline", "--replications", "5", "--precision", "0.1"], "cannot be combined" },
        { ["baseline", "--max-replications", "9"], "--max-replications needs --precision" },
        { ["baseline", "--replications", "0"], "--replications must be a whole number from 1 to 100000, not '0'" },
        { ["baseline", "--replications", "2", "--workers", "0"], "--workers must be a whole number from 1 to 1024, not '0'" },
        { ["baseline", "--precision", "1.5"], "--precision must be a number above 0 and at most 1, e.g. 0.02, not '1.5'" },
        { ["--replications", "2"], "expected at least one scenario FILE" },
        { ["--resume", "99"], "batch 99" },
        { ["--resume", "1", "baseline"], "--resume" },
        { ["--resume", "1", "--set", "settings.days=30"], "drop --set" },
    };

    [Theory]
    [MemberData(nameof(BadBatchInputs))]
    public void Batch_BadInput_ExitsTwoWithAnErrorAndLeavesTheDatabaseUnchanged(string[] input, string fragment)
    {
        var dir = temp.NewDirectory("bad-input");
        var db = Path.Combine(dir, "results.db");
        var first = BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);
        Assert.Equal(1, BatchJson.Id(first));
        var before = BatchDb.Snapshot(db);

        var args = Resolve(input, dir);
        var result = Cli.Run(["batch", .. args, .. ShortRunsUnlessResuming(args), "--db", db]);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Empty(result.StdoutBytes);
        Assert.True(result.StderrLines.Count > 0 && result.StderrLines[0].StartsWith("error: ", StringComparison.Ordinal), result.Describe());
        Assert.True(result.StderrLines.Any(l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains(fragment, StringComparison.Ordinal)), $"no error line holds \"{fragment}\"\n{result.Describe()}");
        Assert.DoesNotContain("results in", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, BatchDb.Snapshot(db));
    }

    [Theory]
    [MemberData(nameof(BadBatchInputs))]
    public void Batch_BadInput_DoesNotCreateTheDatabase(string[] input, string fragment)
    {
        _ = fragment;
        var dir = temp.NewDirectory("bad-input-new-db");
        var db = Path.Combine(dir, "new.db");

        var args = Resolve(input, dir);
        var result = Cli.Run(["batch", .. args, .. ShortRunsUnlessResuming(args), "--db", db]);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(db), $"bad input created {db}\n{result.Describe()}");
        Assert.False(File.Exists(db + "-wal"), "bad input created the -wal file");
        Assert.False(File.Exists(db + "-shm"), "bad input created the -shm file");
    }

    [Fact]
    public void Batch_UnknownGate_NamesThePathAndListsTheKnownGates()
    {
        var db = Path.Combine(temp.NewDirectory("unknown-gate"), "results.db");
        var result = Cli.Run(["batch", "baseline", "--replications", "2", .. ShortRuns, "--set", "gates.nam-gian.vn.lanes=3", "--db", db]);

        Assert.True(result.ExitCode == 2, result.Describe());
        var error = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("--set gates.nam-gian.vn.lanes=3", error, StringComparison.Ordinal);
        Assert.Contains("'nam-gian'", error, StringComparison.Ordinal);
        foreach (var gate in Scenarios.BaselineDefinition().Gates)
        {
            Assert.Contains(gate.Id, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Batch_UnknownKeyAndBadValue_SayWhichKeyAndWhatIsExpected()
    {
        var db = Path.Combine(temp.NewDirectory("unknown-key"), "results.db");
        var key = Cli.Run(["batch", "baseline", "--replications", "2", .. ShortRuns, "--set", "gates.nam-giang.vn.lanez=3", "--db", db]);
        var value = Cli.Run(["batch", "baseline", "--replications", "2", .. ShortRuns, "--set", "gates.nam-giang.vn.lanes=four", "--db", db]);

        Assert.True(key.ExitCode == 2, key.Describe());
        Assert.Contains(key.StderrLines, l => l.StartsWith("error: --set gates.nam-giang.vn.lanez=3: ", StringComparison.Ordinal) && l.Contains("unknown key 'lanez'", StringComparison.Ordinal) && l.Contains("lanes", StringComparison.Ordinal));
        Assert.True(value.ExitCode == 2, value.Describe());
        Assert.Contains(value.StderrLines, l => l.StartsWith("error: --set gates.nam-giang.vn.lanes=four: ", StringComparison.Ordinal) && l.Contains("'four'", StringComparison.Ordinal) && l.Contains("whole number", StringComparison.Ordinal));
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void Batch_MalformedScenarioFile_ReportsTheFileLineAndColumn()
    {
        var dir = temp.NewDirectory("malformed");
        var db = Path.Combine(dir, "results.db");
        var result = Cli.Run(["batch", "baseline", Resolve(["{malformed}"], dir)[0], "--replications", "2", .. ShortRuns, "--db", db]);

        ErrorAssert.Rejected(result, "malformed.yaml", 4, "YAML syntax error");
        Assert.False(File.Exists(db));
    }

    [Theory]
    [InlineData("batch")]
    [InlineData("compare")]
    [InlineData("export")]
    public void Commands_DbThatIsNotSqlite_ExitTwoAndLeaveTheFileAlone(string command)
    {
        var dir = temp.NewDirectory("not-sqlite-" + command);
        var db = TempDirectoryFixture.WriteFile(dir, "notes.txt", "these are my notes, not a database\n");
        var bytes = File.ReadAllBytes(db);
        string[] args = command switch
        {
            "batch" => ["batch", "baseline", "--replications", "2", .. ShortRuns, "--db", db],
            "compare" => ["compare", "1", "--db", db],
            _ => ["export", "1", "--format", "csv", "--db", db],
        };

        var result = Cli.Run(args);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.Contains(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("not a SQLite database", StringComparison.Ordinal) && l.Contains(db, StringComparison.Ordinal));
        Assert.Equal(bytes, File.ReadAllBytes(db));
        Assert.Equal(["notes.txt"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void Batch_DbThatIsAnotherApplicationsSqlite_ExitsTwoAndLeavesTheFileAlone()
    {
        var dir = temp.NewDirectory("foreign-sqlite");
        var db = Path.Combine(dir, "other.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me');";
            create.ExecuteNonQuery();
        }

        var bytes = File.ReadAllBytes(db);
        var result = Cli.Run(["batch", "baseline", "--replications", "2", .. ShortRuns, "--db", db]);

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.Contains(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("other tables", StringComparison.Ordinal));
        Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(db)), "the batch changed another application's SQLite file (e.g. switched it to WAL)");
        Assert.Equal(["other.db"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void CompareAndExport_MissingDatabaseOrBatch_ExitTwoWithoutCreatingAnything()
    {
        var dir = temp.NewDirectory("missing-db");
        var missing = Path.Combine(dir, "missing.db");

        foreach (var args in new[] { new[] { "compare", "1", "--db", missing }, ["export", "1", "--format", "jsonl", "--db", missing] })
        {
            var result = Cli.Run(args);
            Assert.True(result.ExitCode == 2, result.Describe());
            Assert.Contains(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("does not exist", StringComparison.Ordinal));
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }

        var db = NewDb("unknown-batch");
        BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);
        var before = BatchDb.Snapshot(db);
        var outFile = Path.Combine(dir, "out.csv");
        foreach (var args in new[] { new[] { "compare", "7", "--db", db }, ["export", "7", "--format", "csv", "--db", db, "--out", outFile] })
        {
            var result = Cli.Run(args);
            Assert.True(result.ExitCode == 2, result.Describe());
            Assert.Contains(result.StderrLines, l => l.StartsWith("error: batch 7 is not in", StringComparison.Ordinal) && l.Contains("expected one of 1", StringComparison.Ordinal));
            Assert.False(File.Exists(outFile), "export of an unknown batch created its --out file");
        }

        Assert.Equal(before, BatchDb.Snapshot(db));
    }

    // ---- 6. --sweep, --set and --baseline ------------------------------------------------------------------------

    [Fact]
    public void Batch_SweepOfTheBaselineAlone_KeepsTheBaselineAndAddsOneVariantPerValue()
    {
        var db = NewDb("sweep-baseline");
        var result = BatchJson.Run("batch", ["baseline", "--sweep", "gates.nam-giang.vn.lanes=1..3", "--replications", "3", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(
            ["baseline", "baseline[gates.nam-giang.vn.lanes=1]", "baseline[gates.nam-giang.vn.lanes=2]", "baseline[gates.nam-giang.vn.lanes=3]"],
            scenarios.Select(s => s.GetProperty("name").GetString()!).ToArray());
        Assert.Equal("baseline", json.RootElement.GetProperty("baseline").GetString());
        Assert.Equal([true, false, false, false], scenarios.Select(s => s.GetProperty("baseline").GetBoolean()).ToArray());
        Assert.Equal(4, scenarios.Select(s => s.GetProperty("hash").GetString()).Distinct().Count());
        Assert.False(scenarios[0].TryGetProperty("vs_baseline", out _));

        // The baseline has 2 lanes at Nam Giang: the `=2` variant is the baseline again, and utilisation falls with lanes.
        Assert.All(scenarios[2].GetProperty("vs_baseline").EnumerateObject(), k => Assert.True(IsNoChange(k.Value), $"{k.Name}: {k.Value.GetRawText()}"));
        var utilisation = scenarios.Select(s => Kpi(s, "gate.nam-giang.utilisation").GetProperty("mean").GetDouble()).ToArray();
        Assert.True(utilisation[1] > utilisation[2] && utilisation[2] > utilisation[3], string.Join(", ", utilisation));
        Assert.Equal(utilisation[0], utilisation[2]);
        Assert.True(Diff(scenarios[1], "gate.nam-giang.utilisation").GetProperty("significant").GetBoolean());
        Assert.Equal((12L, 0L), BatchDb.RunCounts(db, 1));
    }

    [Fact]
    public void Batch_SweepWithAWhatIf_SweepsTheWhatIfAndKeepsTheBaseline()
    {
        var db = NewDb("sweep-whatif");
        var result = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--sweep", "gates.nam-giang.vn.lanes=1..3", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(
            ["baseline", "nam-giang-upgrade[gates.nam-giang.vn.lanes=1]", "nam-giang-upgrade[gates.nam-giang.vn.lanes=2]", "nam-giang-upgrade[gates.nam-giang.vn.lanes=3]"],
            scenarios.Select(s => s.GetProperty("name").GetString()!).ToArray());
        Assert.True(scenarios[0].GetProperty("baseline").GetBoolean());
        Assert.All(scenarios.Skip(1), s => Assert.True(s.TryGetProperty("vs_baseline", out _)));
        Assert.Contains("4 scenarios (baseline, nam-giang-upgrade[gates.nam-giang.vn.lanes=1]", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_SweepWithStep_FormatsValuesWithTheStepsDecimals()
    {
        var db = NewDb("sweep-step");
        var result = BatchJson.Run("batch", ["baseline", "--sweep", "gates.nam-giang.vn.lanes=2..6:2", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        Assert.Equal(
            ["baseline", "baseline[gates.nam-giang.vn.lanes=2]", "baseline[gates.nam-giang.vn.lanes=4]", "baseline[gates.nam-giang.vn.lanes=6]"],
            json.RootElement.GetProperty("scenarios").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray());
    }

    [Fact]
    public void Batch_Set_ChangesTheBaselineToo()
    {
        var db = NewDb("set");
        var plain = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);
        var set = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "2", .. ShortRuns, "--set", "gates.nam-giang.vn.lanes=3", "--db", db, "--json"]);

        using var a = JsonDocument.Parse(plain.StdoutBytes);
        using var b = JsonDocument.Parse(set.StdoutBytes);
        var plainScenarios = a.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        var setScenarios = b.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(["baseline", "nam-giang-upgrade"], setScenarios.Select(s => s.GetProperty("name").GetString()!).ToArray());
        for (var i = 0; i < 2; i++)
        {
            Assert.NotEqual(plainScenarios[i].GetProperty("hash").GetString(), setScenarios[i].GetProperty("hash").GetString());
        }

        // Three lanes instead of two lower the baseline's Nam Giang utilisation; the upgrade's 4 lanes become 3, raising its.
        Assert.True(
            Kpi(setScenarios[0], "gate.nam-giang.utilisation").GetProperty("mean").GetDouble() < Kpi(plainScenarios[0], "gate.nam-giang.utilisation").GetProperty("mean").GetDouble());
        Assert.True(
            Kpi(setScenarios[1], "gate.nam-giang.utilisation").GetProperty("mean").GetDouble() > Kpi(plainScenarios[1], "gate.nam-giang.utilisation").GetProperty("mean").GetDouble());

        // The override is kept with the scenario's text in the database.
        var layers = BatchDb.Scalar(db, "SELECT t.layers_json FROM batch_scenarios s JOIN scenario_texts t ON t.hash = s.hash WHERE s.batch_id = 2 AND s.position = 0") as string;
        Assert.NotNull(layers);
        Assert.Contains("--set gates.nam-giang.vn.lanes=3", layers, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_BaselineOption_MakesTheNamedScenarioTheReference()
    {
        var db = NewDb("baseline-option");
        var result = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        Assert.Equal("nam-giang-upgrade", json.RootElement.GetProperty("baseline").GetString());
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(["baseline", "nam-giang-upgrade"], scenarios.Select(s => s.GetProperty("name").GetString()!).ToArray());
        Assert.False(scenarios[0].GetProperty("baseline").GetBoolean());
        Assert.True(scenarios[1].GetProperty("baseline").GetBoolean());
        Assert.False(scenarios[1].TryGetProperty("vs_baseline", out _));

        // Seen from the upgrade, the baseline takes longer to cross at Nam Giang.
        var hours = Diff(scenarios[0], "gate.nam-giang.hours_to_cross_mean");
        Assert.True(hours.GetProperty("mean_diff").GetDouble() > 0);
        Assert.True(hours.GetProperty("significant").GetBoolean());
        Assert.Equal(1L, BatchDb.Scalar(db, "SELECT baseline_position FROM batches WHERE id = 1"));

        var text = Cli.Run("compare", "1", "--db", db);
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Contains("nam-giang-upgrade: the baseline, headline KPIs", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("baseline vs nam-giang-upgrade (3 paired replications)", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_BaselineOptionByFileArgument_FindsTheScenario()
    {
        var db = NewDb("baseline-by-file");
        var upgrade = Path.Combine(Scenarios.BundledDirectory, "nam-giang-upgrade.yaml");
        var result = BatchJson.Run("batch", ["baseline", upgrade, "--baseline", upgrade, "--replications", "2", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        Assert.Equal("nam-giang-upgrade", json.RootElement.GetProperty("baseline").GetString());
    }

    // ---- 7. Export -----------------------------------------------------------------------------------------------

    [Fact]
    public void Export_Csv_HasOneRowPerScenarioReplicationAndKpi_AndItsMeansAreTheBatchMeans()
    {
        var db = NewDb("export-csv");
        var batch = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns, "--seed", "11", "--db", db, "--json"]);
        using var json = JsonDocument.Parse(batch.StdoutBytes);
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();

        var export = Cli.Run("export", "1", "--format", "csv", "--db", db);
        Assert.True(export.ExitCode == 0, export.Describe());
        var lines = export.Json.Split('\n');
        Assert.Equal(string.Empty, lines[^1]);
        Assert.Equal("batch,scenario,replication,seed,kpi,group,entity,measure,value", lines[0]);
        var rows = lines[1..^1].Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(9, r.Length));

        var kpiCount = scenarios[0].GetProperty("kpis").EnumerateObject().Count();
        Assert.Equal(scenarios.Sum(s => s.GetProperty("kpis").EnumerateObject().Count()) * 3, rows.Count);
        Assert.Equal(2 * 3 * kpiCount, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal("1", r[0]);
            Assert.Contains(r[1], new[] { "baseline", "nam-giang-upgrade" });
            Assert.Contains(r[2], new[] { "0", "1", "2" });
            Assert.Equal("11", r[3]);
            Assert.Equal(r[4], r[7].Length > 0 && r[6].Length > 0 ? $"{r[5]}.{r[6]}.{r[7]}" : $"{r[5]}.{r[7]}");
            // Empty: the run had no data for the KPI (no truck crossed, so no crossing time), and only then.
            Assert.True(r[8].Length == 0 || double.TryParse(r[8], NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"value '{r[8]}' of {r[4]} is not an invariant number");
        });
        Assert.Contains(rows, r => r[4] == "gate.nam-giang.trucks" && r[5] == "gate" && r[6] == "nam-giang" && r[7] == "trucks");
        Assert.Contains(rows, r => r[4] == "gate.si-choang.hours_to_cross_mean" && r[8].Length == 0);
        Assert.Contains(rows, r => r[4] == "total.trade_value_usd" && r[5] == "total" && r[6].Length == 0 && r[7] == "trade_value_usd");

        // Every KPI's mean over the exported replications is the batch's mean.
        foreach (var scenario in scenarios)
        {
            var name = scenario.GetProperty("name").GetString()!;
            foreach (var kpi in scenario.GetProperty("kpis").EnumerateObject())
            {
                var cells = rows.Where(r => r[1] == name && r[4] == kpi.Name).Select(r => r[8]).ToList();
                Assert.Equal(3, cells.Count);
                var values = cells.Where(c => c.Length > 0).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(kpi.Value.GetProperty("n").GetInt32(), values.Count);
                if (values.Count == 0)
                {
                    Assert.Equal(JsonValueKind.Null, kpi.Value.GetProperty("mean").ValueKind);
                    continue;
                }

                var expected = kpi.Value.GetProperty("mean").GetDouble();
                Assert.True(Math.Abs(values.Average() - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{name} {kpi.Name}: export mean {values.Average()} vs batch mean {expected}");
            }
        }
    }

    [Fact]
    public void Export_Jsonl_HasTheSameRowsAsTheCsv()
    {
        var db = NewDb("export-jsonl");
        BatchJson.Run("batch", ["baseline", "nam-giang-landslide", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);

        var csv = Cli.Run("export", "1", "--format", "csv", "--db", db);
        var jsonl = Cli.Run("export", "1", "--format", "jsonl", "--db", db);
        Assert.True(csv.ExitCode == 0, csv.Describe());
        Assert.True(jsonl.ExitCode == 0, jsonl.Describe());

        var csvRows = csv.Json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        var jsonLines = jsonl.Json.Split('\n');
        Assert.Equal(string.Empty, jsonLines[^1]);
        Assert.Equal(csvRows.Count, jsonLines.Length - 1);
        string[] fields = ["batch", "scenario", "replication", "seed", "kpi", "group", "entity", "measure", "value"];
        for (var i = 0; i < csvRows.Count; i++)
        {
            using var row = JsonDocument.Parse(jsonLines[i]);
            Assert.Equal(JsonValueKind.Object, row.RootElement.ValueKind);
            Assert.Equal(fields, row.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            var o = row.RootElement;
            var asCsv = string.Join(
                ',',
                o.GetProperty("batch").GetInt64().ToString(CultureInfo.InvariantCulture),
                o.GetProperty("scenario").GetString(),
                o.GetProperty("replication").GetInt32().ToString(CultureInfo.InvariantCulture),
                o.GetProperty("seed").GetUInt64().ToString(CultureInfo.InvariantCulture),
                o.GetProperty("kpi").GetString(),
                o.GetProperty("group").GetString(),
                o.GetProperty("entity").GetString(),
                o.GetProperty("measure").GetString(),
                o.GetProperty("value") is { ValueKind: JsonValueKind.Null } ? string.Empty : o.GetProperty("value").GetDouble().ToString("R", CultureInfo.InvariantCulture));
            Assert.Equal(csvRows[i], asCsv);
        }
    }

    [Fact]
    public void Export_UnknownFormat_ExitsTwo()
    {
        var db = NewDb("export-xml");
        BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);

        var result = Cli.Run("export", "1", "--format", "xml", "--db", db);

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Empty(result.StdoutBytes);
        Assert.Contains(result.StderrLines, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains("xml", StringComparison.Ordinal));
    }

    [Fact]
    public void Export_OutFile_WritesTheCsvThere()
    {
        var db = NewDb("export-out");
        BatchJson.Run("batch", ["baseline", "--replications", "2", .. ShortRuns, "--db", db, "--json"]);
        var file = Path.Combine(Path.GetDirectoryName(db)!, "kpis.csv");

        var toFile = Cli.Run("export", "1", "--format", "csv", "--db", db, "--out", file);
        var toStdout = Cli.Run("export", "1", "--format", "csv", "--db", db);

        Assert.True(toFile.ExitCode == 0, toFile.Describe());
        Assert.Empty(toFile.StdoutBytes);
        Assert.Contains($"wrote {file}", toFile.StderrLines);
        Assert.Equal(toStdout.StdoutBytes, File.ReadAllBytes(file));
    }

    [Fact]
    public void Batch_OutFolder_WritesKpisSummaryAndVsBaselineCsv()
    {
        var dir = temp.NewDirectory("out-folder");
        var db = Path.Combine(dir, "results.db");
        var outDir = Path.Combine(dir, "tables");
        var result = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "3", .. ShortRuns, "--db", db, "--json", "--out", outDir]);
        using var json = JsonDocument.Parse(result.StdoutBytes);
        var scenarios = json.RootElement.GetProperty("scenarios").EnumerateArray().ToList();

        // nam-giang-upgrade carries an `appraisal:` section, so its appraisal is written too; every what-if has its trade split.
        Assert.Equal(["appraisal.csv", "kpis.csv", "summary.csv", "trade.csv", "vs_baseline.csv"], Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        foreach (var name in new[] { "appraisal.csv", "kpis.csv", "summary.csv", "trade.csv", "vs_baseline.csv" })
        {
            Assert.Contains($"wrote {Path.Combine(outDir, name)}", result.StderrLines);
        }

        var export = Cli.Run("export", "1", "--format", "csv", "--db", db);
        Assert.Equal(export.StdoutBytes, File.ReadAllBytes(Path.Combine(outDir, "kpis.csv")));

        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal("batch,scenario,kpi,mean,sd,ci_low,ci_high,n", summary[0]);
        Assert.Equal(scenarios.Sum(s => s.GetProperty("kpis").EnumerateObject().Count()), summary.Length - 1);
        var trucks = summary.Single(l => l.StartsWith("1,nam-giang-upgrade,gate.nam-giang.trucks,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(Kpi(scenarios[1], "gate.nam-giang.trucks").GetProperty("mean").GetDouble(), double.Parse(trucks[3], CultureInfo.InvariantCulture));
        Assert.Equal("3", trucks[7]);

        var vs = File.ReadAllLines(Path.Combine(outDir, "vs_baseline.csv"));
        Assert.Equal("batch,scenario,baseline,kpi,mean_diff,ci_low,ci_high,percent,significant,n,unpaired_ci_low,unpaired_ci_high", vs[0]);
        Assert.Equal(scenarios[1].GetProperty("vs_baseline").EnumerateObject().Count(), vs.Length - 1);
        var hours = vs.Single(l => l.StartsWith("1,nam-giang-upgrade,baseline,gate.nam-giang.hours_to_cross_mean,", StringComparison.Ordinal)).Split(',');
        var expected = Diff(scenarios[1], "gate.nam-giang.hours_to_cross_mean");
        Assert.Equal(expected.GetProperty("mean_diff").GetDouble(), double.Parse(hours[4], CultureInfo.InvariantCulture));
        Assert.Equal("true", hours[8]);

        // The unpaired interval is wider than the paired one for a KPI common random numbers sharpen.
        var pairedWidth = double.Parse(hours[6], CultureInfo.InvariantCulture) - double.Parse(hours[5], CultureInfo.InvariantCulture);
        var unpairedWidth = double.Parse(hours[11], CultureInfo.InvariantCulture) - double.Parse(hours[10], CultureInfo.InvariantCulture);
        Assert.True(pairedWidth > 0 && unpairedWidth > 0);

        var appraisal = File.ReadAllLines(Path.Combine(outDir, "appraisal.csv"));
        Assert.Equal("batch,scenario,baseline,discount_rate,horizon_years,capital_usd,operating_usd_per_year,pv_costs_usd,measure,mean,sd,ci_low,ci_high,n", appraisal[0]);
        var npv = appraisal.Single(l => l.StartsWith("1,nam-giang-upgrade,baseline,", StringComparison.Ordinal) && l.Split(',')[8] == "npv_usd").Split(',');
        var npvJson = scenarios[1].GetProperty("appraisal").GetProperty("npv_usd");
        Assert.Equal(npvJson.GetProperty("mean").GetDouble(), double.Parse(npv[9], CultureInfo.InvariantCulture));
        Assert.Equal(npvJson.GetProperty("ci_low").GetDouble(), double.Parse(npv[11], CultureInfo.InvariantCulture));
        Assert.Equal("3", npv[13]);

        // The trade the upgrade creates: the CSV row is the JSON's, and the trade response sets the same part in every replication.
        var trade = File.ReadAllLines(Path.Combine(outDir, "trade.csv"));
        Assert.Equal("batch,scenario,baseline,measure,mean,sd,ci_low,ci_high,n", trade[0]);
        Assert.Equal(4, trade.Length);
        var created = trade.Single(l => l.Split(',')[3] == "created_t_per_year").Split(',');
        Assert.Equal(scenarios[1].GetProperty("trade").GetProperty("created_t_per_year").GetProperty("mean").GetDouble(), double.Parse(created[4], CultureInfo.InvariantCulture));
        var elastic = trade.Single(l => l.Split(',')[3] == "elastic_created_t_per_year").Split(',');
        Assert.True(double.Parse(elastic[4], CultureInfo.InvariantCulture) > 0, trade[3]);
        Assert.Equal("0", elastic[5]);
    }

    // ---- 8. Hours and common random numbers ----------------------------------------------------------------------

    [Fact]
    public void Batch_NamGiangUpgrade_CutsHoursToCross_AndLeavesUnrelatedGatesIdenticalInEveryReplication()
    {
        var db = NewDb("crn");
        var batch = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--replications", "5", .. ShortRuns, "--db", db, "--json"]);
        using var json = JsonDocument.Parse(batch.StdoutBytes);
        var upgrade = json.RootElement.GetProperty("scenarios")[1];
        Assert.Equal("nam-giang-upgrade", upgrade.GetProperty("name").GetString());

        var hours = Diff(upgrade, "gate.nam-giang.hours_to_cross_mean");
        Assert.True(hours.GetProperty("significant").GetBoolean(), hours.GetRawText());
        Assert.True(hours.GetProperty("mean_diff").GetDouble() < 0, hours.GetRawText());
        Assert.True(hours.GetProperty("ci_high").GetDouble() < 0, hours.GetRawText());
        Assert.Equal(5, hours.GetProperty("n").GetInt32());

        var unrelated = upgrade.GetProperty("vs_baseline").EnumerateObject()
            .Where(k => k.Name.StartsWith("gate.po-to.", StringComparison.Ordinal) || k.Name.StartsWith("gate.gia-khau.", StringComparison.Ordinal))
            .ToList();
        Assert.True(unrelated.Count >= 10, $"only {unrelated.Count} Lai Chau gate KPIs");
        // Identical: no difference, or (a gate no truck crossed in either) no data on both sides, never a number.
        Assert.All(unrelated, k => Assert.True(IsNoChange(k.Value), $"{k.Name}: {k.Value.GetRawText()}"));
        Assert.All(unrelated, k => Assert.False(k.Value.GetProperty("significant").GetBoolean(), k.Name));

        // Per replication, from the stored runs: every Lai Chau gate KPI equal, bit for bit; some Nam Giang KPI not.
        var export = Cli.Run("export", "1", "--format", "jsonl", "--db", db);
        Assert.True(export.ExitCode == 0, export.Describe());
        var values = new Dictionary<(string Scenario, int Replication, string Kpi), double>();
        foreach (var line in export.Json.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var row = JsonDocument.Parse(line);
            var o = row.RootElement;
            var value = o.GetProperty("value");
            values[(o.GetProperty("scenario").GetString()!, o.GetProperty("replication").GetInt32(), o.GetProperty("kpi").GetString()!)] = value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
        }

        for (var r = 0; r < 5; r++)
        {
            foreach (var kpi in unrelated.Select(k => k.Name))
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[("baseline", r, kpi)]), BitConverter.DoubleToInt64Bits(values[("nam-giang-upgrade", r, kpi)]));
            }

            Assert.True(values[("nam-giang-upgrade", r, "gate.nam-giang.hours_to_cross_mean")] < values[("baseline", r, "gate.nam-giang.hours_to_cross_mean")], $"replication {r}");
        }

        // The text report counts them among the KPIs identical in every replication and does not list them.
        var text = Cli.Run("compare", "1", "--db", db);
        var section = text.Stdout[text.Stdout.IndexOf("nam-giang-upgrade vs baseline", StringComparison.Ordinal)..];
        Assert.DoesNotContain("gate.po-to.", section, StringComparison.Ordinal);
        Assert.DoesNotContain("gate.gia-khau.", section, StringComparison.Ordinal);
        Assert.Contains(section.Split('\n'), l => l.StartsWith("  *  gate.nam-giang.hours_to_cross_mean ", StringComparison.Ordinal));
    }

    // ---- 9. --precision ------------------------------------------------------------------------------------------

    [Fact]
    public void Batch_LoosePrecision_StopsAfterTheFirstRound()
    {
        var db = NewDb("precision-loose");
        var result = BatchJson.Run("batch", ["baseline", "--precision", "0.5", .. ShortRuns, "--db", db, "--json"]);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        Assert.Equal(5, json.RootElement.GetProperty("replications").GetInt32());
        var precision = json.RootElement.GetProperty("precision");
        Assert.Equal(0.5, precision.GetProperty("target").GetDouble());
        Assert.True(precision.GetProperty("reached").GetBoolean());
        Assert.Equal(200, precision.GetProperty("max_replications").GetInt32());
        Assert.Equal((5L, 0L), BatchDb.RunCounts(db, 1));

        var text = Cli.Run("compare", "1", "--db", db);
        Assert.Contains(text.StdoutLines, l => l.StartsWith("Precision reached: the 95% half-width of each of the ", StringComparison.Ordinal) && l.Contains(" judged is within 50% of its mean.", StringComparison.Ordinal));
        Assert.DoesNotContain("NOT reached", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_UnreachablePrecision_StopsAtTheMaximumAndSaysNotReached()
    {
        var db = NewDb("precision-tight");
        var json = BatchJson.Run("batch", ["baseline", "nam-giang-upgrade", "--precision", "0.0001", "--max-replications", "7", .. ShortRuns, "--db", db, "--json"]);

        using var doc = JsonDocument.Parse(json.StdoutBytes);
        Assert.Equal(7, doc.RootElement.GetProperty("replications").GetInt32());
        Assert.False(doc.RootElement.GetProperty("precision").GetProperty("reached").GetBoolean());
        Assert.Equal(7, doc.RootElement.GetProperty("precision").GetProperty("max_replications").GetInt32());
        Assert.All(doc.RootElement.GetProperty("scenarios").EnumerateArray(), s => Assert.Equal(7, s.GetProperty("replications").GetInt32()));
        Assert.Equal((14L, 0L), BatchDb.RunCounts(db, 1));
        Assert.Equal(7L, BatchDb.Scalar(db, "SELECT planned_replications FROM batches WHERE id = 1"));

        var text = Cli.Run("compare", "1", "--db", db);
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Contains(text.StdoutLines, l => l.Contains("NOT reached within 7 replications", StringComparison.Ordinal));
        Assert.StartsWith("Batch 1 (complete): 2 scenarios x 7 replications", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_Precision_IsReproducible()
    {
        var db = NewDb("precision-repro");
        string Run() => BatchJson.ScenariosText(BatchJson.Run("batch", ["baseline", "--precision", "0.02", "--max-replications", "12", .. ShortRuns, "--workers", "2", "--db", db, "--json"]));

        Assert.Equal(Run(), Run());
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private string NewDb(string hint) => Path.Combine(temp.NewDirectory(hint), "results.db");

    private static JsonElement Kpi(JsonElement scenario, string kpi) => scenario.GetProperty("kpis").GetProperty(kpi);

    private static JsonElement Diff(JsonElement scenario, string kpi) => scenario.GetProperty("vs_baseline").GetProperty(kpi);

    private static long BatchIdFromStderr(CliResult result)
    {
        var line = result.StderrLines.First(l => l.StartsWith("batch ", StringComparison.Ordinal));
        return long.Parse(line["batch ".Length..line.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }

    private static string[] ShortRunsUnlessResuming(string[] args) => args.Contains("--resume") ? [] : ShortRuns;

    /// <summary>Replaces `{malformed}` with a scenario file (in <paramref name="dir"/>) whose flow sequence on line 3 meets a `}` on line 4.</summary>
    private static string[] Resolve(string[] input, string dir) =>
        [.. input.Select(a => a == "{malformed}" ? TempDirectoryFixture.WriteFile(dir, "malformed.yaml", "extends: baseline.yaml\nname: malformed\ngates: [nam-giang\n  lanes: }\n") : a)];
    /// <summary>A paired difference of exactly zero, or none at all because neither side had data (n = 0).</summary>
    private static bool IsNoChange(JsonElement difference) =>
        difference.GetProperty("mean_diff") is { ValueKind: JsonValueKind.Null }
            ? difference.GetProperty("n").GetInt32() == 0
            : difference.GetProperty("mean_diff").GetDouble() == 0;
}

/// <summary>Runs batches and reads their JSON.</summary>
internal static class BatchJson
{
    /// <summary>Runs the CLI and fails unless it exits 0.</summary>
    public static CliResult Run(string command, string[] args)
    {
        var result = Cli.Run([command, .. args]);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result;
    }

    public static long Id(CliResult result)
    {
        using var json = JsonDocument.Parse(result.StdoutBytes);
        return json.RootElement.GetProperty("batch").GetInt64();
    }

    /// <summary>The raw text of the `scenarios` array, which holds no timings or ids.</summary>
    public static string ScenariosText(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        var scenarios = json.RootElement.GetProperty("scenarios");
        Assert.True(scenarios.GetArrayLength() > 0);
        return scenarios.GetRawText();
    }
}

/// <summary>Reads a result database through its own read-only connection, never holding it open.</summary>
internal static class BatchDb
{
    private static readonly string[] Tables = ["schema_version", "batches", "scenario_texts", "batch_scenarios", "runs", "kpis", "daily_queues"];

    public static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static object? Scalar(string path, string sql)
    {
        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Runs of a batch that are done and still pending.</summary>
    public static (long Done, long Pending) RunCounts(string path, long batchId)
    {
        using var connection = OpenReadOnly(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'pending'), 0) FROM runs WHERE batch_id = $id";
        command.Parameters.AddWithValue("$id", batchId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public static string Status(string path, long batchId) =>
        (string)Scalar(path, "SELECT status FROM batches WHERE id = " + batchId.ToString(CultureInfo.InvariantCulture))!;

    /// <summary>
    /// What a database holds and how its file looks: every table's row count and a digest of every row, then the
    /// SHA-256 of the main file (read after the connection is closed; the CLI checkpoints its WAL when it closes).
    /// </summary>
    public static string Snapshot(string path)
    {
        var text = new StringBuilder();
        using (var connection = OpenReadOnly(path))
        {
            foreach (var table in Tables)
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT * FROM " + table + " ORDER BY 1, 2, 3, 4";
                if (table == "schema_version")
                {
                    command.CommandText = "SELECT * FROM schema_version";
                }
                else if (table == "scenario_texts")
                {
                    command.CommandText = "SELECT * FROM scenario_texts ORDER BY 1";
                }

                using var reader = command.ExecuteReader();
                var rows = 0;
                var digest = new StringBuilder();
                while (reader.Read())
                {
                    rows++;
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        var value = reader.GetValue(i);
                        digest.Append(value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture)).Append('|');
                    }

                    digest.Append('\n');
                }

                text.Append(CultureInfo.InvariantCulture, $"{table}: {rows} rows, {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(digest.ToString())))}\n");
            }
        }

        var wal = path + "-wal";
        var walLength = File.Exists(wal) ? new FileInfo(wal).Length : 0;
        text.Append(CultureInfo.InvariantCulture, $"wal: {walLength} bytes\n");
        text.Append(CultureInfo.InvariantCulture, $"file: {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}\n");
        return text.ToString();
    }

}
