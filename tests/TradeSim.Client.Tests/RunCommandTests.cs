using TradeSim.Kernel;
using System.Text.Json;

namespace TradeSim.Client.Tests;

/// <summary>`tradesim run`: JSON result, reproducibility, CSV tables, the summary and option errors.</summary>
public sealed class RunCommandTests(TempDirectoryFixture temp) : IClassFixture<TempDirectoryFixture>
{
    private static readonly Lazy<CliResult> _baseline30Days = new(() => Cli.Run("run", "baseline", "--json", "--days", "30"));

    [Fact]
    public void Run_BaselineJson_WritesTheResultDocument()
    {
        var result = _baseline30Days.Value;
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Empty(result.Stdout);
        Assert.Empty(result.Stderr);

        using var json = JsonDocument.Parse(result.StdoutBytes);
        var root = json.RootElement;
        Assert.Equal("baseline", root.GetProperty("scenario").GetString());
        Assert.Equal(1UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(0, root.GetProperty("replication").GetInt32());
        Assert.Equal(30, root.GetProperty("days").GetInt32());

        var gates = root.GetProperty("gates");
        Assert.Equal(JsonValueKind.Array, gates.ValueKind);
        var expectedIds = Scenarios.BaselineDefinition().Gates.Select(g => g.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedIds, gates.EnumerateArray().Select(g => g.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList());
        foreach (var gate in gates.EnumerateArray())
        {
            Assert.True(gate.GetProperty("trucks").GetInt64() >= 0);
            Assert.True(gate.GetProperty("tonnes").GetDouble() >= 0);
            // No truck crossed: no crossing time (null), never 0 h.
            var hours = gate.GetProperty("hours_to_cross_mean");
            Assert.Equal(gate.GetProperty("trucks").GetInt64() == 0, hours.ValueKind == JsonValueKind.Null);
            Assert.True(hours.ValueKind == JsonValueKind.Null || hours.GetDouble() > 0);
        }

        Assert.True(Gate(root, "nam-giang").GetProperty("trucks").GetInt64() > 0, "the busiest transit gate carried no trucks in 30 days");
    }

    [Fact]
    public void Run_AndBatch_ReportTheSameKpisUnderTheSameNames()
    {
        // `run` (seed 1, replication 0) and replication 0 of a batch with seed 1 simulate the same thing: every gate,
        // post, corridor and total measure `run --json` shows has the value the batch stored under group.entity.measure.
        var db = Path.Combine(temp.NewDirectory("same-names"), "batch.db");
        var batch = Cli.Run("batch", "baseline", "--replications", "1", "--seed", "1", "--set", "settings.days=30", "--db", db);
        Assert.True(batch.ExitCode == 0, batch.Describe());
        var export = Cli.Run("export", "1", "--format", "jsonl", "--db", db);
        Assert.True(export.ExitCode == 0, export.Describe());
        var stored = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var line in export.Json.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var row = JsonDocument.Parse(line);
            var value = row.RootElement.GetProperty("value");
            stored[row.RootElement.GetProperty("kpi").GetString()!] = value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
        }

        using var json = JsonDocument.Parse(_baseline30Days.Value.StdoutBytes);
        var root = json.RootElement;
        var compared = 0;
        void Same<T>(IReadOnlyList<KpiMeasure<T>> measures, JsonElement element, string entity)
        {
            foreach (var m in measures)
            {
                var shown = element.GetProperty(m.Measure);
                Assert.Equal(stored[m.NameFor(entity)], shown.ValueKind == JsonValueKind.Null ? null : shown.GetDouble());
                compared++;
            }
        }

        foreach (var gate in root.GetProperty("gates").EnumerateArray())
        {
            var id = gate.GetProperty("id").GetString()!;
            Same(KpiCatalogue.Gate, gate, id);
            foreach (var post in gate.GetProperty("posts").EnumerateArray())
            {
                Same(KpiCatalogue.Post, post, $"{id}.{post.GetProperty("country").GetString()}");
            }
        }

        foreach (var corridor in root.GetProperty("corridors").EnumerateArray())
        {
            Same(KpiCatalogue.Corridor, corridor, corridor.GetProperty("id").GetString()!);
        }

        foreach (var fleet in root.GetProperty("fleets").EnumerateArray())
        {
            Same(KpiCatalogue.Fleet, fleet, fleet.GetProperty("id").GetString()!);
        }

        Same(KpiCatalogue.Total, root.GetProperty("totals"), string.Empty);
        Assert.True(compared > 150, $"only {compared} KPIs compared");
        Assert.Contains(stored, k => k.Value is null);
    }

    [Fact]
    public void Run_BaselineJson_CorridorsCarryConsistentCarecIndicators()
    {
        using var json = JsonDocument.Parse(_baseline30Days.Value.StdoutBytes);
        var corridor = json.RootElement.GetProperty("corridors").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "quang-nam-sekong");
        var carec = corridor;

        // Loaded trips through Nam Giang: their border time is part of the trip, so the speed with delays is lower,
        // and a crossing costs at least the gate's 15 USD fee.
        Assert.True(carec.GetProperty("loaded_trips").GetInt64() > 0);
        Assert.True(carec.GetProperty("hours_to_cross").GetDouble() > 0);
        Assert.True(carec.GetProperty("speed_with_delays_kmh").GetDouble() < carec.GetProperty("speed_without_delays_kmh").GetDouble());
        Assert.True(carec.GetProperty("crossing_cost_usd").GetDouble() > 15);
        Assert.True(carec.GetProperty("cost_per_500km_20t_usd").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("totals").GetProperty("logistics_cost_usd").GetDouble() > 0);
    }

    [Fact]
    public void Run_BaselineJson_ConservationBalances()
    {
        var result = _baseline30Days.Value;
        Assert.True(result.ExitCode == 0, result.Describe());

        using var json = JsonDocument.Parse(result.StdoutBytes);
        var c = json.RootElement.GetProperty("conservation");
        var produced = c.GetProperty("produced_t").GetDouble();
        var accounted = c.GetProperty("delivered_t").GetDouble() + c.GetProperty("in_transit_t").GetDouble()
            + c.GetProperty("queued_t").GetDouble() + c.GetProperty("stock_t").GetDouble();
        Assert.True(produced > 0);
        Assert.Equal(produced, accounted, 1e-6);
        Assert.True(c.GetProperty("balanced").GetBoolean());
    }

    [Fact]
    public void Run_SameSeedTwice_WritesByteIdenticalJson()
    {
        var first = Cli.Run("run", "baseline", "--json", "--days", "30", "--seed", "7");
        var second = Cli.Run("run", "baseline", "--json", "--days", "30", "--seed", "7");

        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.NotEmpty(first.StdoutBytes);
        Assert.Equal(first.StdoutBytes, second.StdoutBytes);
    }

    [Fact]
    public void Run_OneThreadAndTwoThreads_WriteByteIdenticalJson()
    {
        var one = Cli.Run("run", "baseline", "--json", "--days", "30", "--threads", "1");
        var two = Cli.Run("run", "baseline", "--json", "--days", "30", "--threads", "2");

        Assert.True(one.ExitCode == 0, one.Describe());
        Assert.True(two.ExitCode == 0, two.Describe());
        Assert.NotEmpty(one.StdoutBytes);
        Assert.Equal(one.StdoutBytes, two.StdoutBytes);
    }

    [Fact]
    public void Run_DifferentSeed_WritesDifferentJson()
    {
        var seed1 = _baseline30Days.Value;
        var seed2 = Cli.Run("run", "baseline", "--json", "--days", "30", "--seed", "2");

        Assert.True(seed2.ExitCode == 0, seed2.Describe());
        Assert.NotEqual(seed1.StdoutBytes, seed2.StdoutBytes);
        using var json = JsonDocument.Parse(seed2.StdoutBytes);
        Assert.Equal(2UL, json.RootElement.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void Run_WithOut_WritesTheSevenCsvTables()
    {
        var dir = Path.Combine(temp.NewDirectory("csv"), "out");

        var result = Cli.Run("run", "baseline", "--json", "--days", "30", "--out", dir);

        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        var root = json.RootElement;
        var gates = root.GetProperty("gates").GetArrayLength();
        var posts = root.GetProperty("gates").EnumerateArray().Sum(g => g.GetProperty("posts").GetArrayLength());
        var corridors = root.GetProperty("corridors").GetArrayLength();
        var commodities = root.GetProperty("commodities").GetArrayLength();
        Assert.True(gates > 0 && posts == 2 * gates && corridors > 0 && commodities > 0);

        var expected = new (string File, string Header, int Rows)[]
        {
            ("gates.csv", "scenario,replication,gate,name,corridor,class,trucks,loaded_trucks,tonnes,value_usd,hours_to_cross_mean,hours_to_cross_p95,max_queue,opening_wait_hours_mean,queueing_hours_mean,service_hours_mean,transfer_hours_mean,mean_queue,utilisation,turned_back,stranded_truck_hours,person_crossings,vehicle_crossings,non_truck_vehicle_crossings,transit_declarations,trips_per_declaration,arrival_dispersion,mean_trucks_in_gate", gates),
            ("posts.csv", "scenario,replication,gate,country,lanes,served,utilisation,mean_queue,wait_hours_mean,opening_wait_hours_mean,queueing_hours_mean,service_hours_mean,immigration_wait_hours_mean,roadside_truck_hours", posts),
            ("corridors.csv", "scenario,replication,corridor,gates,trucks,tonnes,hours_to_cross_mean,loaded_trips,hours_to_cross,crossing_cost_usd,cost_per_500km_20t_usd,speed_with_delays_kmh,speed_without_delays_kmh", corridors),
            ("fleets.csv", "scenario,replication,fleet,truck_count,utilisation,turnaround_hours_mean,empty_km_share,hired_truck_days,backlog_tonnes,backlog_value_usd,planned_wait_hours,rerouted_legs,backlog_age_hours_mean", root.GetProperty("fleets").GetArrayLength()),
            ("totals.csv", "scenario,replication,trade_value_usd,tonnes_delivered,logistics_cost_usd,logistics_cost_per_tonne_usd,trade_created_t_per_year,trucks_diverted,border_legs", 1),
            ("commodities.csv", "scenario,replication,commodity,produced_t,delivered_t,delivered_value_usd,crossed_t,conservation_produced_t,conservation_delivered_t,conservation_in_transit_t,conservation_queued_t,conservation_stock_t", commodities),
            ("daily.csv", "scenario,replication,date,gate,trucks,tonnes,hours_to_cross_mean,queue_at_end_of_day,mean_queue", 30 * gates),
        };
        foreach (var (file, header, rows) in expected)
        {
            var path = Path.Combine(dir, file);
            Assert.True(File.Exists(path), $"{file} was not written");
            Assert.Contains($"wrote {path}", result.StderrLines);
            var lines = File.ReadAllText(path).Split('\n');
            Assert.Equal(string.Empty, lines[^1]);
            Assert.Equal(header, lines[0]);
            var data = lines[1..^1];
            Assert.True(rows == data.Length, $"{file}: expected {rows} data rows, found {data.Length}");
            var columns = header.Split(',').Length;
            Assert.All(data, row => Assert.StartsWith("baseline,0,", row, StringComparison.Ordinal));
            Assert.All(data, row => Assert.Equal(columns, row.Split(',').Length));
        }

        Assert.Equal(7, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void Run_OutIsAnExistingFile_Returns2WithMessage()
    {
        var file = temp.WriteFile("not-a-folder.txt", "x");

        var result = Cli.Run("run", "baseline", "--days", "1", "--out", file);

        Assert.Equal(2, result.ExitCode);
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.Contains(result.StderrLines, l => l.StartsWith($"error: cannot write to --out '{file}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_WithoutJson_SummaryNamesEveryGateAndSaysBalanced()
    {
        var result = Cli.Run("run", "baseline", "--days", "30");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Empty(result.StdoutBytes);
        Assert.StartsWith("Scenario baseline  seed 1  replication 0", result.Stdout, StringComparison.Ordinal);
        foreach (var gate in Scenarios.BaselineDefinition().Gates)
        {
            Assert.Contains(result.StdoutLines, l => l.TrimStart().StartsWith(gate.Id + " ", StringComparison.Ordinal));
        }

        Assert.Contains("balanced", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT BALANCED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WhatIfExtendingBaseline_UsesTheChangedValue()
    {
        var path = temp.WriteFile("four-lanes.yaml", $$"""
            name: nam-giang-four-lanes
            description: Nam Giang with four Vietnamese inspection lanes
            extends: {{Scenarios.BaselinePath}}
            gates: { nam-giang: { vn: { lanes: 4 } } }
            """);

        var result = Cli.Run("run", path, "--json", "--days", "10");

        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        Assert.Equal("nam-giang-four-lanes", json.RootElement.GetProperty("scenario").GetString());
        var vn = Gate(json.RootElement, "nam-giang").GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("country").GetString() == "vn");
        Assert.Equal(4, vn.GetProperty("lanes").GetInt32());
        var boY = Gate(json.RootElement, "bo-y").GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("country").GetString() == "vn");
        Assert.Equal(Scenarios.BaselineDefinition().Gates.Single(g => g.Id == "bo-y").Posts.Single(p => p.Country == "vn").Lanes, boY.GetProperty("lanes").GetInt32());
    }

    [Theory]
    [InlineData("run baseline --seed abc", "--seed")]
    [InlineData("run baseline --seed -1", "--seed")]
    [InlineData("run baseline --threads 0", "--threads must be a whole number from 1 to 1024")]
    [InlineData("run baseline --threads 1025", "--threads must be a whole number from 1 to 1024")]
    [InlineData("run baseline --days 0", "--days must be a whole number from 1 to 36600")]
    [InlineData("run baseline --days -5", "--days must be a whole number from 1 to 36600")]
    [InlineData("run baseline --replication -1", "--replication must be a whole number from 0 to 2147483647, not '-1'")]
    [InlineData("run baseline --bogus", "--bogus")]
    [InlineData("run", "Required argument missing")]
    [InlineData("run no-such-scenario", "file not found: 'no-such-scenario'")]
    public void Run_BadArguments_Returns2WithMessage(string commandLine, string fragment)
    {
        var result = Cli.Run(commandLine.Split(' '));

        Assert.True(result.ExitCode == 2, result.Describe());
        ErrorAssert.NoStackTrace(result.Stderr);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(fragment, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public void Run_UnknownBundledName_ListsTheBundledScenarios()
    {
        var result = Cli.Run("run", "no-such-scenario");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("bundled scenarios: ", line, StringComparison.Ordinal);
        Assert.Contains("baseline", line[line.IndexOf("bundled scenarios: ", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    private static JsonElement Gate(JsonElement root, string id) =>
        root.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("id").GetString() == id);
}
