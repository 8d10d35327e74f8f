using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace TradeSim.Client.Tests;

/// <summary>
/// A hand-built network for `tradesim sensitivity`: trucks go from a to b through gate g, whose Vietnamese post has one
/// lane and a service time of 100 minutes against about 0.46 trucks an hour (utilisation about 0.77: near saturation,
/// so its service time drives the hours to cross); gate h lies 5,000 km away on both sides, so no truck ever takes it, however long g's queue and
/// its fee changes nothing (route choice is all-or-nothing: no random number depends on it). Only those two numbers are
/// tagged `assumption:`, so they are the default inputs.
/// </summary>
public sealed class SensitivityFixture : IDisposable
{
    public const string ServiceInput = "gates.g.vn.service.default.mean_minutes";
    public const string FeeInput = "gates.h.fee_usd";
    public const string Kpi = "gate.g.hours_to_cross_mean";
    public const double ServiceMinutes = 100;

    private readonly Lazy<(CliResult Result, string Db, string Report)> _ranking;

    public SensitivityFixture()
    {
        var dir = Temp.NewDirectory("network");
        ScenarioPath = Path.Combine(dir, "small.yaml");
        File.WriteAllText(ScenarioPath, Network(30));
        WhatIfPath = Path.Combine(dir, "small-upgrade.yaml");
        File.WriteAllText(WhatIfPath, "extends: small.yaml\nname: small-upgrade\ndescription: a second lane at g\ngates:\n  g:\n    vn: { lanes: 2 }\n");
        LongScenarioPath = Path.Combine(Temp.NewDirectory("long"), "small.yaml");
        File.WriteAllText(LongScenarioPath, Network(365));
        _ranking = new(() =>
        {
            var run = Temp.NewDirectory("ranking");
            var db = Path.Combine(run, "s.db");
            var report = Path.Combine(run, "s.html");
            var result = Cli.Run([.. Arguments(ScenarioPath), "--workers", "2", "--db", db, "--json", "--report", report]);
            Assert.True(result.ExitCode == 0, result.Describe());
            return (result, db, report);
        });
    }

    public TempDirectoryFixture Temp { get; } = new();

    public string ScenarioPath { get; }

    public string WhatIfPath { get; }

    /// <summary>The same network over a year: runs long enough to interrupt.</summary>
    public string LongScenarioPath { get; }

    /// <summary>The default-inputs analysis of the network, run once with 2 workers (JSON on stdout, an HTML report).</summary>
    public (CliResult Result, string Db, string Report) Ranking => _ranking.Value;

    /// <summary>4 trajectories of the 2 default inputs (12 design points) x 3 replications = 36 runs.</summary>
    public static string[] Arguments(string scenario, int replications = 3) =>
        ["sensitivity", "--scenario", scenario, "--kpi", Kpi, "--kpi", "total.tonnes_delivered", "--trajectories", "4", "--replications", replications.ToString(CultureInfo.InvariantCulture), "--seed", "5"];

    public void Dispose() => Temp.Dispose();

    private static string Network(int days) => $$"""
        name: small
        description: one busy gate and one nobody uses
        settings:
          start: 2023-01-01
          days: {{days}}
          warmup_days: 3
          step_minutes: 60
        gate_classes:
          international: [transit, trade, local]
        commodities:
          goods: { name: Goods }
        nodes:
          a: { name: A, country: vn, kind: province }
          b: { name: B, country: la, kind: province }
        gates:
          g:
            class: international
            fee_usd: 10
            transfer_minutes: 6
            vn:
              lanes: 1
              hours: 24h
              holding_capacity: 1000
              service:
                default:
                  mean_minutes: {{ServiceMinutes}}   # assumption: near saturation, so it drives the hours to cross
                  cv: 1
            la: { lanes: 50, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
          h:
            class: international
            fee_usd: 10          # assumption: a gate nobody uses
            transfer_minutes: 6
            vn: { lanes: 1, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
            la: { lanes: 1, hours: 24h, holding_capacity: 1000, service: { default: { mean_minutes: 6, cv: 0 } } }
        roads:
          a-g: { from: a, to: g.vn, km: 60, kmh: 60 }
          g-b: { from: g.la, to: b, km: 60, kmh: 60 }
          a-h: { from: a, to: h.vn, km: 5000, kmh: 60 }
          h-b: { from: h.la, to: b, km: 5000, kmh: 60 }
        carriers:
          haulers:
            home: a
            trucks: 40
            capacity_t: 10
            kmh: 60
            cost_per_km_usd: 1
            cost_per_hour_usd: 10
            load_hours: 1
            unload_hours: 1
            handling_cv: 0.2
            travel_cv: 0.1
        flows:
          goods-a-b:
            commodity: goods
            from: a
            to: b
            traffic: trade
            carrier: haulers
            tonnes_per_year: 40000
            value_usd_per_t: 500
            daily_cv: 0.3
        """;
}

/// <summary>
/// `tradesim sensitivity` end to end on <see cref="SensitivityFixture"/>'s network: the ranking, exact zero effects with
/// paired seeds, signs and sizes, the paired effect against another scenario, identical results for any worker count,
/// resume, the cost line, the report and bad input.
/// </summary>
public sealed class SensitivityCommandTests(SensitivityFixture fixture) : IClassFixture<SensitivityFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void Sensitivity_RanksTheBusyGatesServiceTimeFirst_TheUnusedGatesFeeHasMuStarZero()
    {
        using var json = JsonDocument.Parse(fixture.Ranking.Result.StdoutBytes);
        var root = json.RootElement;
        Assert.Equal([SensitivityFixture.ServiceInput, SensitivityFixture.FeeInput], root.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("input").GetString()));
        var hours = Kpi(root, SensitivityFixture.Kpi);
        var service = hours[0];
        var fee = hours[1];

        Assert.Equal(SensitivityFixture.ServiceInput, service.GetProperty("input").GetString());
        Assert.Equal(1, service.GetProperty("rank").GetInt32());

        // The fee of a gate nobody takes changes nothing, and every design point runs the same seeds: exactly zero.
        Assert.Equal(SensitivityFixture.FeeInput, fee.GetProperty("input").GetString());
        foreach (var measure in new[] { "mu_star", "mu", "sigma", "mu_star_ci_low", "mu_star_ci_high" })
        {
            Assert.Equal(0.0, fee.GetProperty(measure).GetDouble());
        }

        // A slower service raises the hours to cross: mu > 0 and mu = mu* (every effect has that sign). Across its range
        // (80 to 120 minutes) service alone adds 40 minutes; queueing near saturation adds more, never less.
        var mu = service.GetProperty("mu").GetDouble();
        Assert.Equal(service.GetProperty("mu_star").GetDouble(), mu, 12);
        Assert.True(mu > 0.4 * SensitivityFixture.ServiceMinutes / 60, $"mu {mu} h: expected above the 0.67 h the service time alone adds across its range");
        Assert.Equal(4, service.GetProperty("n").GetInt32());
        Assert.InRange(mu, service.GetProperty("mu_star_ci_low").GetDouble(), service.GetProperty("mu_star_ci_high").GetDouble());

        // Tonnes delivered do not depend on the fee either (the second KPI): still exactly zero.
        var tonnes = Kpi(root, "total.tonnes_delivered");
        Assert.Equal(0.0, tonnes.Single(e => e.GetProperty("input").GetString() == SensitivityFixture.FeeInput).GetProperty("mu_star").GetDouble());
    }

    [Fact]
    public void Sensitivity_TextCsvAndTornadoReport_SayTheSameRanking()
    {
        var run = fixture.Temp.NewDirectory("text");
        var csv = Path.Combine(run, "s.csv");
        var text = Cli.Run([.. SensitivityFixture.Arguments(fixture.ScenarioPath), "--db", fixture.Ranking.Db, "--csv", csv]);

        // The same options find the same batch? No: SQLite batches are new each time; the numbers are the same.
        Assert.True(text.ExitCode == 0, text.Describe());
        var table = text.StdoutLines.SkipWhile(l => !l.StartsWith(SensitivityFixture.Kpi, StringComparison.Ordinal)).Skip(2).Take(2).ToList();
        Assert.Matches($@"^\s*1\s+{Regex.Escape(SensitivityFixture.ServiceInput)}\s", table[0]);
        Assert.Matches($@"^\s*2\s+{Regex.Escape(SensitivityFixture.FeeInput)}\s+8\.\.12\s+0\s+\[0, 0\]\s+0\s+0\s+4$", table[1]);
        Assert.Contains("percentile bootstrap over trajectories", text.Stdout, StringComparison.Ordinal);

        var rows = File.ReadAllLines(csv);
        Assert.Equal("kpi,rank,input,file,value,low,high,mu_star,mu_star_ci_low,mu_star_ci_high,mu,sigma,n", rows[0]);
        Assert.StartsWith($"{SensitivityFixture.Kpi},1,{SensitivityFixture.ServiceInput},small.yaml,100,80,120,", rows[1], StringComparison.Ordinal);
        Assert.Equal($"{SensitivityFixture.Kpi},2,{SensitivityFixture.FeeInput},small.yaml,10,8,12,0,0,0,0,0,4", rows[2]);

        // The HTML report: one tornado chart per KPI, rendered by a real Chromium with its bars and rows.
        var html = File.ReadAllText(fixture.Ranking.Report);
        Assert.Equal(2, Regex.Matches(html, "<svg ").Count);
        var dom = Chromium.DumpDom(fixture.Ranking.Report, Path.Combine(run, "profile"));
        Assert.Equal(2, Regex.Matches(dom, "<svg ").Count);
        Assert.Contains("id=\"chart-tornado-0\"", dom, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Matches(dom, "<tr class=\"input\">").Count);
        Assert.Contains("Inputs by mu* on gate.g.hours_to_cross_mean", dom, StringComparison.Ordinal);
    }

    [Fact]
    public void Sensitivity_Versus_MeasuresThePairedEffect_WithTheInputsAppliedToBoth()
    {
        var db = Path.Combine(fixture.Temp.NewDirectory("versus"), "s.db");
        var result = Cli.Run("sensitivity", "--scenario", fixture.WhatIfPath, "--versus", fixture.ScenarioPath, "--kpi", SensitivityFixture.Kpi, "--trajectories", "4", "--replications", "3", "--seed", "5", "--db", db, "--json");

        Assert.True(result.ExitCode == 0, result.Describe());
        using var json = JsonDocument.Parse(result.StdoutBytes);
        var effects = Kpi(json.RootElement, SensitivityFixture.Kpi);
        var service = effects.Single(e => e.GetProperty("input").GetString() == SensitivityFixture.ServiceInput);
        var fee = effects.Single(e => e.GetProperty("input").GetString() == SensitivityFixture.FeeInput);

        // The second lane saves more the slower the service: the (negative) effect grows with it, mu < 0.
        Assert.Equal(1, service.GetProperty("rank").GetInt32());
        Assert.True(service.GetProperty("mu").GetDouble() < 0, service.ToString());
        Assert.Equal(0.0, fee.GetProperty("mu_star").GetDouble());

        // 12 design points, each the what-if and the small network with the same values.
        Assert.Contains("cost: 12 design points x 2 scenarios x 3 replications = 72 runs", result.StderrLines);
        Assert.Equal((72L, 0L), BatchDb.RunCounts(db, 1));
    }

    [Fact]
    public void Sensitivity_Workers1And2_GiveByteIdenticalResults()
    {
        var db = Path.Combine(fixture.Temp.NewDirectory("workers-1"), "s.db");
        var one = Cli.Run([.. SensitivityFixture.Arguments(fixture.ScenarioPath), "--workers", "1", "--db", db, "--json"]);

        Assert.True(one.ExitCode == 0, one.Describe());
        Assert.Equal(WithoutEngine(fixture.Ranking.Result.Json), WithoutEngine(one.Json));
    }

    [Fact]
    public void Sensitivity_PrintsItsCostBeforeRunning_AndTheCostIsTheRunsItRuns()
    {
        var dir = fixture.Temp.NewDirectory("cost");
        var db = Path.Combine(dir, "s.db");
        var dry = Cli.Run([.. SensitivityFixture.Arguments(fixture.ScenarioPath), "--db", db, "--dry-run"]);

        Assert.True(dry.ExitCode == 0, dry.Describe());
        Assert.Contains("cost: 12 design points x 1 scenario x 3 replications = 36 runs", dry.StdoutLines);
        Assert.Equal(12, dry.StdoutLines.Count(l => Regex.IsMatch(l, @"^\s+t\d+\.\d+\s")));
        Assert.False(File.Exists(db), "--dry-run must not create the database");

        var run = Cli.Run([.. SensitivityFixture.Arguments(fixture.ScenarioPath), "--db", db]);
        Assert.True(run.ExitCode == 0, run.Describe());
        var lines = run.StderrLines.ToList();
        var cost = lines.FindIndex(l => Regex.IsMatch(l, @"^cost: \d+ design points x 1 scenario x \d+ replications = \d+ runs$"));
        Assert.True(cost >= 0, run.Describe());
        Assert.True(cost < lines.FindIndex(l => l.StartsWith("batch 1:", StringComparison.Ordinal)), run.Describe());
        var announced = long.Parse(Regex.Match(lines[cost], @"= (\d+) runs").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal((announced, 0L), BatchDb.RunCounts(db, 1));
    }

    [Fact]
    public async Task Sensitivity_InterruptedAndResumed_EqualsAnUninterruptedAnalysis()
    {
        string[] arguments = [.. SensitivityFixture.Arguments(fixture.LongScenarioPath, replications: 6), "--workers", "1", "--json"];
        var whole = Cli.Run([.. arguments, "--db", Path.Combine(fixture.Temp.NewDirectory("whole"), "s.db")]);
        Assert.True(whole.ExitCode == 0, whole.Describe());

        var db = Path.Combine(fixture.Temp.NewDirectory("interrupted"), "s.db");
        using var stop = new CancellationTokenSource();
        var run = Task.Factory.StartNew(() => Cli.Run(stop.Token, [.. arguments, "--db", db]), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (run.IsCompleted)
            {
                Assert.Fail("the analysis ended before it could be interrupted: " + (await run).Describe());
            }

            if (DoneRuns(db) >= 3)
            {
                break;
            }

            Assert.True(clock.Elapsed < Timeout, "fewer than 3 runs were done in time");
            await Task.Delay(2);
        }

        stop.Cancel();
        var interrupted = await run.WaitAsync(Timeout);
        Assert.True(interrupted.ExitCode == 130, interrupted.Describe());
        Assert.Equal("interrupted", BatchDb.Status(db, 1));
        Assert.Contains(interrupted.StderrLines, l => l.StartsWith("interrupted: batch 1 keeps", StringComparison.Ordinal));

        var resumed = Cli.Run("sensitivity", "--resume", "1", "--db", db, "--json", "--workers", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Describe());
        Assert.Equal("complete", BatchDb.Status(db, 1));
        Assert.Equal(WithoutEngine(whole.Json), WithoutEngine(resumed.Json));
    }

    [Theory]
    [InlineData("--input gates.g.vn.lanez", "--input gates.g.vn.lanez: unknown path")]
    [InlineData("--input gates.g.vn.hours", "--input gates.g.vn.hours: ")]
    [InlineData("--input gates.g.vn.lanes=3..1", "--input gates.g.vn.lanes=3..1: bad range 3..1: expected LO below HI")]
    [InlineData("--input gates.g.vn.lanes=0..3", "--input gates.g.vn.lanes=0..3: bad range 0..3: the scenario accepts lanes from 1 to 10000")]
    [InlineData("--input gates.g.vn.lanes=a..b", "--input gates.g.vn.lanes=a..b: 'a..b' is not a range")]
    [InlineData("--kpi gate.nowhere.hours_to_cross_mean", "--kpi gate.nowhere.hours_to_cross_mean: unknown gate 'nowhere' in small: expected one of g, h")]
    [InlineData("--kpi gate.g.hours_to_dance", "--kpi gate.g.hours_to_dance: unknown KPI")]
    [InlineData("--levels 5", "--levels 5: expected an even number of levels")]
    public void Sensitivity_BadInput_ExitsWith2_NamingWhatAndWhere(string option, string expected)
    {
        var db = Path.Combine(fixture.Temp.NewDirectory("bad"), "s.db");
        var result = Cli.Run(["sensitivity", "--scenario", fixture.ScenarioPath, "--kpi", SensitivityFixture.Kpi, "--db", db, .. option.Split(' ')]);

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains(result.StderrLines, l => l.StartsWith("error: " + expected, StringComparison.Ordinal));
        Assert.False(File.Exists(db), "bad input must not create the database");
    }

    [Fact]
    public void Sensitivity_NonNumericInput_NamesTheFileLineAndValue()
    {
        var result = Cli.Run("sensitivity", "--scenario", fixture.ScenarioPath, "--kpi", SensitivityFixture.Kpi, "--input", "gates.g.vn.hours", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.StderrLines, l => Regex.IsMatch(l, @"^error: --input gates\.g\.vn\.hours: .*small\.yaml:\d+:\d+: '24h' is not a number"));
    }

    private static List<JsonElement> Kpi(JsonElement root, string kpi) =>
        [.. root.GetProperty("kpis").EnumerateArray().Single(k => k.GetProperty("kpi").GetString() == kpi).GetProperty("effects").EnumerateArray()];

    /// <summary>The JSON without the batch id, which differs between databases only where it is written.</summary>
    private static string WithoutEngine(string json) => Regex.Replace(json, "\"batch\": \\d+,", string.Empty);

    private static long DoneRuns(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }

        try
        {
            return BatchDb.RunCounts(db, 1).Done;
        }
        catch (SqliteException)
        {
            // The database is still being created, or briefly locked: poll again.
            return 0;
        }
    }
}
