using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Client.Output;
using TradeSim.Client.Report;
using TradeSim.Client.Scenarios;
using TradeSim.Client.Sensitivity;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Hosting;

namespace TradeSim.Client.Commands;

/// <summary>
/// `tradesim sensitivity`: which assumptions drive the answer. A Morris elementary-effects design over the scenario's
/// inputs becomes one batch (a scenario per design point, and one of the compared scenario with `--versus`), run,
/// stored and resumed exactly as `tradesim batch` runs them, and read back as the inputs ranked by μ* on each KPI.
/// </summary>
internal sealed class SensitivityCommand(CliConsole console, ReplicationRunner runner, BatchCommands batches)
{
    public const string Name = "sensitivity";

    public const int DefaultTrajectories = 10;
    public const int DefaultLevels = 4;
    public const double DefaultRange = 0.2;
    public const int DefaultReplications = 10;

    /// <summary>What defines the design and the response: the options a stored batch keeps and `--resume` reads again.</summary>
    private sealed class DesignOptions
    {
        public Option<string?> Scenario { get; } = CommandLineValues.Text("--scenario", "The scenario (file or bundled name) whose inputs are varied");

        public Option<string?> Versus { get; } = CommandLineValues.Text("--versus", "Compare with this scenario: the response is the paired effect scenario - OTHER, each design point's inputs applied to both");

        public Option<string[]> Inputs { get; } = new("--input")
        {
            Description = "An input: PATH as --set takes it (e.g. gates.nam-giang.vn.lanes), optionally PATH=LO..HI (repeatable; default: every number tagged `# assumption:` in the scenario's files)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<double> Range { get; } = CommandLineValues.Fraction("--range", $"Default range of an input: its value +- this fraction (default {DefaultRange})", 0, 0.999, "0.2", () => DefaultRange);

        public Option<int> Trajectories { get; } = CommandLineValues.Int("--trajectories", $"Morris trajectories r (default {DefaultTrajectories})", 2, 10_000, () => DefaultTrajectories);

        public Option<int> Levels { get; } = CommandLineValues.Int("--levels", $"Grid levels p, even (default {DefaultLevels})", 2, 100, () => DefaultLevels);

        public Option<string[]> Kpis { get; } = new("--kpi")
        {
            Description = "A KPI whose sensitivity is measured, e.g. gate.nam-giang.hours_to_cross_mean (repeatable; `tradesim kpis` lists them)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<int> Replications { get; } = CommandLineValues.Int("--replications", $"Replications per design point, the same seeds at every point (default {DefaultReplications})", 1, 100_000, () => DefaultReplications);

        public Option<ulong> Seed { get; } = CommandLineValues.Seed("--seed", "Master seed of the runs, the design and the bootstrap", 1);

        public IEnumerable<Option> All => [Scenario, Versus, Inputs, Range, Trajectories, Levels, Kpis, Replications, Seed];

        public SensitivityRequest Request(ParseResult parse) => new(
            parse.GetValue(Scenario) ?? string.Empty,
            parse.GetValue(Versus),
            parse.GetValue(Inputs) ?? [],
            parse.GetValue(Range),
            parse.GetValue(Trajectories),
            parse.GetValue(Levels),
            parse.GetValue(Kpis) ?? [],
            parse.GetValue(Replications),
            parse.GetValue(Seed));
    }

    public Command Build()
    {
        var design = new DesignOptions();
        var workers = CommandLineValues.Int("--workers", "Runs in parallel (results are identical for any value)", 1, 1024, () => Environment.ProcessorCount);
        var json = new Option<bool>("--json") { Description = "Write the ranking as JSON to stdout" };
        var csv = CommandLineValues.OptionalPath("--csv", "Write the ranking as CSV to this file");
        var report = CommandLineValues.OptionalPath("--report", "Write a self-contained HTML report with a tornado chart per KPI to this file");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the inputs, the design and its cost, and exit without running" };
        var resume = CommandLineValues.OptionalId("--resume", "Finish an interrupted sensitivity batch (its design comes from the database)");
        var command = new Command(Name, "Rank the scenario's inputs (its numbers tagged `assumption:`, or --input) by their effect on KPIs: Morris elementary effects, run as one batch.");
        foreach (var option in design.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(workers);
        command.Options.Add(json);
        command.Options.Add(csv);
        command.Options.Add(report);
        command.Options.Add(dryRun);
        command.Options.Add(resume);
        command.Options.Add(BatchCommands.Database);
        command.Options.Add(BatchCommands.Cluster);
        CommandLineValues.AddCombinationCheck(command, r =>
        {
            if (r.GetValue(design.Levels) % 2 != 0)
            {
                r.AddError($"--levels {r.GetValue(design.Levels)}: expected an even number of levels (Morris's delta is p/2 grid steps)");
            }

            if (r.GetValue(resume) is not null)
            {
                var given = design.All.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (given.Count > 0)
                {
                    r.AddError($"--resume continues a stored sensitivity batch, whose design is in the database: drop {string.Join(", ", given)}");
                }

                if (r.GetValue(dryRun))
                {
                    r.AddError("--dry-run plans a new analysis: it cannot be combined with --resume");
                }

                return;
            }

            if (r.GetValue(design.Scenario) is null)
            {
                r.AddError("expected --scenario NAME (or --resume BATCH)");
            }

            if (r.GetValue(design.Kpis) is not { Length: > 0 })
            {
                r.AddError($"expected at least one --kpi NAME, e.g. --kpi {KpiCatalogue.GateHoursToCrossMean.NameFor("nam-giang")}");
            }
        });
        command.SetAction(parse => Run(parse, design, new Outputs(parse.GetValue(json), parse.GetValue(csv), parse.GetValue(report)), parse.GetValue(workers), parse.GetValue(dryRun), parse.GetValue(resume)));
        return command;
    }

    /// <summary>Where the ranking goes: text or JSON on stdout, and optionally a CSV file and an HTML report.</summary>
    private sealed record Outputs(bool Json, string? CsvPath, string? ReportPath)
    {
        public OutputProblem? Check() =>
            (CsvPath is null ? null : ComparisonOutput.CheckFile(CsvPath, "--csv"))
            ?? (ReportPath is null ? null : ComparisonOutput.CheckFile(ReportPath, "--report"));
    }

    private int Run(ParseResult parse, DesignOptions design, Outputs outputs, int workers, bool dryRun, long? resume)
    {
        if (outputs.Check() is { } problem)
        {
            return batches.Fail(problem);
        }

        var cluster = BatchCommands.ClusterConnectionString(parse, out var clusterProblem);
        if (clusterProblem is not null)
        {
            return batches.Fail(clusterProblem);
        }

        if (resume is { } id)
        {
            return cluster is not null
                ? batches.WithCluster(cluster, (database, store) => Stored(store, id, design) is not { } plan ? ExitCodes.BadInput
                    : batches.FollowInCluster(database, store, id, (s, i, p) => Report(s, i, p, plan, outputs), withMetrics: false, command: "sensitivity"))
                : batches.WithStore(parse.GetValue(BatchCommands.Database)!, create: false, store => Stored(store, id, design) is not { } plan ? ExitCodes.BadInput
                    : batches.RunEmbedded(store, id, workers, (s, i, p) => Report(s, i, p, plan, outputs), withMetrics: false, command: "sensitivity"));
        }

        var request = design.Request(parse);
        if (New(request) is not { } newPlan)
        {
            return ExitCodes.BadInput;
        }

        foreach (var note in newPlan.Notes)
        {
            console.Stderr.WriteLine(CommandLineValues.EscapeControls($"note: {note}"));
        }

        if (dryRun)
        {
            SensitivityWriter.WriteDesign(console.Stdout, newPlan, listPoints: true);
            return ExitCodes.Success;
        }

        // The cost comes before anything runs: an hour's analysis is announced, not discovered.
        console.Stderr.WriteLine(SensitivityWriter.Cost(newPlan));
        var spec = new BatchSpec(newPlan.Scenarios, newPlan.VersusName is null ? 0 : 1, request.Seed, ReplicationPolicy.Fixed(request.Replications), console.Arguments);
        if (cluster is not null)
        {
            return batches.WithCluster(cluster, (database, store) =>
            {
                var (batchId, created) = store.CreateBatch(spec, request.Replications, DateTimeOffset.UtcNow);
                console.Stderr.WriteLine(created
                    ? $"batch {batchId}: sensitivity of {Described(newPlan)}, submitted to the cluster at {store.Location}"
                    : $"batch {batchId}: the same sensitivity batch was submitted before: following it (nothing new is created)");
                return batches.FollowInCluster(database, store, batchId, (s, i, p) => Report(s, i, p, newPlan, outputs), withMetrics: false, command: "sensitivity");
            });
        }

        var dbPath = parse.GetValue(BatchCommands.Database)!;
        return batches.WithStore(dbPath, create: true, store =>
        {
            var (batchId, _) = store.CreateBatch(spec, request.Replications, DateTimeOffset.UtcNow);
            console.Stderr.WriteLine($"batch {batchId}: sensitivity of {Described(newPlan)}, results in {dbPath}");
            return batches.RunEmbedded(store, batchId, workers, (s, i, p) => Report(s, i, p, newPlan, outputs), withMetrics: false, command: "sensitivity");
        });
    }

    private static string Described(SensitivityPlan plan) =>
        string.Create(CultureInfo.InvariantCulture, $"{plan.ScenarioName}{(plan.VersusName is null ? string.Empty : " vs " + plan.VersusName)}: {plan.Points.Count} design points, {plan.Scenarios.Count} scenarios");

    /// <summary>A new analysis: the files read, every input, range, KPI and design point checked, before anything is written.</summary>
    private SensitivityPlan? New(SensitivityRequest request)
    {
        var scenarioErrors = new List<ScenarioError>();
        var scenario = ScenarioFiles.Load(request.Scenario, scenarioErrors);
        var versus = request.Versus is null ? null : ScenarioFiles.Load(request.Versus, scenarioErrors);
        var errors = scenarioErrors.Select(BatchPlanner.Describe).ToList();
        if (errors.Count == 0 && BatchPlanner.TwoTexts([scenario!, .. versus is null ? Array.Empty<ScenarioFile>() : [versus]]) is { } mixed)
        {
            errors.Add(BatchPlanner.Describe(mixed));
        }

        var plan = errors.Count > 0 ? null : SensitivityPlanner.Plan(request, scenario!.Layers, versus?.Layers, runner, errors);
        foreach (var e in errors)
        {
            console.Stderr.WriteLine(CommandLineValues.EscapeControls($"error: {e}"));
        }

        return plan;
    }

    /// <summary>
    /// A stored sensitivity batch's plan, rebuilt from the options and scenario texts the batch keeps (never the files,
    /// which may have changed since), and checked to be the very design the batch holds.
    /// </summary>
    private SensitivityPlan? Stored(IResultStore store, long id, DesignOptions design)
    {
        var batch = store.LoadBatch(id);
        var options = batch.Spec.Options;
        if (options.Count == 0 || options[0] != Name)
        {
            batches.Fail($"batch {id} is not a sensitivity batch (its command was `tradesim {string.Join(' ', options)}`): resume it with `tradesim batch --resume {id}`");
            return null;
        }

        // The stored command line, parsed by the options that made it: the same request.
        var reparse = new Command(Name);
        foreach (var option in design.All)
        {
            reparse.Options.Add(option);
        }

        var parse = reparse.Parse([.. options.Skip(1).Where(Known(options))]);
        var request = design.Request(parse);
        var errors = new List<string>();
        var scenario = SensitivityPlanner.FilesOf(batch.Spec.Scenarios[0]);
        var versus = request.Versus is null ? null : SensitivityPlanner.FilesOf(batch.Spec.Scenarios[1]);
        var plan = SensitivityPlanner.Plan(request, scenario, versus, runner, errors);
        if (plan is null || !plan.Scenarios.SequenceEqual(batch.Spec.Scenarios))
        {
            batches.Fail($"batch {id}: its stored design cannot be rebuilt from its options and scenario texts{(errors.Count > 0 ? ": " + errors[0] : string.Empty)}");
            return null;
        }

        return plan;
    }

    /// <summary>Keeps the stored design options and their values, drops the rest (outputs, workers, the database): they do not define the design.</summary>
    private static Func<string, int, bool> Known(IReadOnlyList<string> options)
    {
        var designNames = new DesignOptions().All.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var keep = new bool[options.Count];
        for (var i = 1; i < options.Count; i++)
        {
            var name = options[i].Split('=', 2)[0];
            if (designNames.Contains(name))
            {
                keep[i] = true;
                if (!options[i].Contains('=', StringComparison.Ordinal) && i + 1 < options.Count)
                {
                    keep[++i] = true;
                }
            }
        }

        return (_, index) => keep[index + 1];
    }

    private int Report(IResultStore store, long id, BatchProgressBar progress, SensitivityPlan plan, Outputs outputs)
    {
        console.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {id}: complete, {progress.RunsPerSecond:F1} runs/s"));
        var result = SensitivityAnalysis.Analyse(store, id, plan);
        if (outputs.CsvPath is { } csvPath)
        {
            Csv.WriteFile(csvPath, w => SensitivityWriter.WriteCsv(w, result));
            console.Stderr.WriteLine($"wrote {csvPath}");
        }

        if (outputs.ReportPath is { } reportPath)
        {
            using (var writer = new StreamWriter(reportPath, append: false, new System.Text.UTF8Encoding(false)))
            {
                SensitivityReportWriter.Write(writer, result, string.Join(' ', console.Arguments.Prepend("tradesim")));
            }

            console.Stderr.WriteLine($"wrote {reportPath}");
        }

        if (outputs.Json)
        {
            console.Stdout.Flush();
            SensitivityWriter.WriteJson(console.StdoutStream, result);
            console.StdoutStream.Flush();
        }
        else
        {
            SensitivityWriter.WriteText(console.Stdout, result);
        }

        return ExitCodes.Success;
    }
}
