using System.CommandLine;
using System.CommandLine.Parsing;
using TradeSim.Client.Batches;
using TradeSim.Client.Cluster;
using TradeSim.Client.Output;
using TradeSim.Client.Report;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Storage;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Hosting;
using TradeSim.Silo.Storage;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Client.Commands;

/// <summary>
/// `tradesim batch`, `compare`, `export` and `cluster status`: many seeded replications of several scenarios, run by
/// the batch and run grains on the embedded silo (an Orleans silo in this process, results in SQLite) or on a cluster
/// (this process an Orleans client, results in PostgreSQL), compared against a baseline with paired statistics.
/// Every input is checked before the database is opened, so bad input exits 2 and writes nothing.
/// </summary>
internal sealed class BatchCommands(CliConsole console, ReplicationRunner runner)
{
    public const string DefaultDatabase = "tradesim.db";

    private const int DefaultReplications = 20;
    private const int DefaultMaxReplications = 200;

    /// <summary>How often `--metrics` exports (OpenTelemetry console exporter, on stderr).</summary>
    private static readonly TimeSpan MetricsInterval = TimeSpan.FromSeconds(2);

    /// <summary>The environment variable that holds the cluster's connection string when `--cluster` has no value.</summary>
    public const string ClusterVariable = ClusterSiloProgram.ClusterVariable;

    internal static readonly Option<string> Database = CommandLineValues.Path("--db", "SQLite result database (created when missing)", () => DefaultDatabase);

    /// <summary>The database `compare` and `export` read: never created (a missing file is an error naming it).</summary>
    private static readonly Option<string> ReadDatabase = CommandLineValues.Path("--db", "SQLite result database to read", () => DefaultDatabase);

    internal static readonly Option<string?> Cluster = new("--cluster")
    {
        Description = $"Use the silo cluster whose PostgreSQL this connection string names (no value: ${ClusterVariable}) instead of the embedded silo and --db",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Command Batch()
    {
        var files = new Argument<string[]>("FILE") { Description = "Scenario files or bundled names; the first is the baseline unless --baseline names another", Arity = ArgumentArity.ZeroOrMore };
        var replications = CommandLineValues.OptionalInt("--replications", $"Replications per scenario (default {DefaultReplications})", 1, 100_000);
        var precision = CommandLineValues.OptionalFraction("--precision", "Add replications until every judged KPI's 95% half-width is at most P x |mean| (e.g. 0.02); judged: the headline KPIs of gates and corridors with material traffic, or --precision-kpi", 0, 1, "0.02");
        var precisionKpi = new Option<string[]>("--precision-kpi")
        {
            Description = "With --precision: judge these KPIs instead of the headline ones; a name or a glob (* any characters, ? one), e.g. 'corridor.*.hours_to_cross' (repeatable; `tradesim kpis` lists the names)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        precisionKpi.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (KpiPattern.Problem(token.Value) is { } problem)
                {
                    result.AddError($"--precision-kpi: {problem}");
                }
            }
        });
        var precisionAbsolute = CommandLineValues.OptionalFraction("--precision-absolute", "With --precision: a KPI is also precise enough when its 95% half-width is at most A in its own unit (e.g. 0.25 hours)", 0, double.MaxValue, "0.25");
        var maxReplications = CommandLineValues.OptionalInt("--max-replications", $"With --precision: the most replications to run (default {DefaultMaxReplications})", 2, 100_000);
        var baseline = CommandLineValues.Text("--baseline", "The scenario the others are compared with (name or file; default: the first)");
        var seed = CommandLineValues.Seed("--seed", "Master seed: replication i of every scenario uses streams from (seed, i)", 1);
        var set = new Option<string[]>("--set") { Description = "Change one value in every scenario, e.g. --set gates.nam-giang.vn.lanes=4 (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var sweep = CommandLineValues.Text("--sweep", "One scenario per value, e.g. --sweep gates.nam-giang.vn.lanes=1..4 or =0.5..1.5:0.25");
        var workers = CommandLineValues.Int("--workers", "Runs in parallel (results are identical for any value)", 1, 1024, () => Environment.ProcessorCount);
        var json = new Option<bool>("--json") { Description = "Write the comparison as JSON to stdout" };
        var outDir = CommandLineValues.OptionalPath("--out", "Write kpis.csv (tidy), summary.csv and vs_baseline.csv to this folder");
        var report = CommandLineValues.OptionalPath("--report", "Write a self-contained HTML report to this file");
        var resume = CommandLineValues.OptionalId("--resume", "Finish an interrupted batch (its scenarios, seed and policy come from the database)");
        var metrics = new Option<bool>("--metrics") { Description = "Export TradeSim's and Orleans' metrics (OpenTelemetry console exporter) to stderr every 2 s and at the end" };
        var command = new Command("batch", "Run scenarios x replications on the embedded silo, keep the results in SQLite, and compare every scenario with the baseline.")
        {
            files, replications, precision, precisionKpi, precisionAbsolute, maxReplications, baseline, seed, set, sweep, workers, json, outDir, report, Database, Cluster, resume, metrics,
        };
        CommandLineValues.AddCombinationCheck(command, r =>
        {
            var resuming = r.GetValue(resume) is not null;
            if (r.GetValue(replications) is not null && r.GetValue(precision) is not null)
            {
                r.AddError("--replications and --precision cannot be combined: give a fixed count or a precision");
            }

            if (r.GetValue(maxReplications) is not null && r.GetValue(precision) is null)
            {
                r.AddError("--max-replications needs --precision");
            }

            if (r.GetValue(precisionKpi) is { Length: > 0 } && r.GetValue(precision) is null)
            {
                r.AddError("--precision-kpi needs --precision");
            }

            if (r.GetValue(precisionAbsolute) is not null && r.GetValue(precision) is null)
            {
                r.AddError("--precision-absolute needs --precision");
            }

            var inputs = new List<string>();
            if (r.GetValue(files) is { Length: > 0 })
            {
                inputs.Add("FILE");
            }

            foreach (var (name, given) in new (string, bool)[]
            {
                ("--set", r.GetValue(set) is { Length: > 0 }), ("--sweep", r.GetValue(sweep) is not null), ("--baseline", r.GetValue(baseline) is not null),
                ("--replications", r.GetValue(replications) is not null), ("--precision", r.GetValue(precision) is not null),
            })
            {
                if (given)
                {
                    inputs.Add(name);
                }
            }

            if (resuming && inputs.Count > 0)
            {
                r.AddError($"--resume continues a stored batch, whose inputs are in the database: drop {string.Join(", ", inputs)}");
            }
            else if (!resuming && r.GetValue(files) is not { Length: > 0 })
            {
                r.AddError("expected at least one scenario FILE (or --resume BATCH)");
            }
        });
        command.SetAction(parse =>
        {
            var output = new ComparisonOutput(parse.GetValue(json), parse.GetValue(outDir), parse.GetValue(report));
            if (output.Check() is { } outputProblem)
            {
                return Fail(outputProblem);
            }

            var dbPath = parse.GetValue(Database)!;
            var withMetrics = parse.GetValue(metrics);
            var clusterConnection = ClusterConnectionString(parse, out var clusterProblem);
            if (clusterProblem is not null)
            {
                return Fail(clusterProblem);
            }

            var workerCount = parse.GetValue(workers);
            if (parse.GetValue(resume) is { } resumeId)
            {
                return clusterConnection is not null
                    ? WithCluster(clusterConnection, (database, store) =>
                    {
                        store.LoadBatch(resumeId);
                        return FollowInCluster(database, store, resumeId, output, withMetrics);
                    })
                    : WithStore(dbPath, create: false, store =>
                    {
                        store.LoadBatch(resumeId);
                        return RunEmbedded(store, resumeId, workerCount, output, withMetrics);
                    });
            }

            var errors = new List<string>();
            var request = new BatchRequest(parse.GetValue(files)!, parse.GetValue(set) ?? [], parse.GetValue(sweep), parse.GetValue(baseline));
            if (BatchPlanner.Plan(request, runner, errors) is not { } plan)
            {
                foreach (var e in errors)
                {
                    console.Stderr.WriteLine(CommandLineValues.EscapeControls($"error: {e}"));
                }

                return ExitCodes.BadInput;
            }

            var policy = parse.GetValue(precision) is { } p
                ? new ReplicationPolicy(Math.Min(PrecisionRule.FirstRound, parse.GetValue(maxReplications) ?? DefaultMaxReplications), parse.GetValue(maxReplications) ?? DefaultMaxReplications, p)
                {
                    PrecisionKpis = parse.GetValue(precisionKpi) ?? [],
                    AbsoluteTolerance = parse.GetValue(precisionAbsolute) ?? 0,
                }
                : ReplicationPolicy.Fixed(parse.GetValue(replications) ?? DefaultReplications);
            var spec = new BatchSpec(plan.Scenarios, plan.BaselinePosition, parse.GetValue(seed), policy, console.Arguments);
            if (clusterConnection is not null)
            {
                return WithCluster(clusterConnection, (database, store) =>
                {
                    var (id, created) = store.CreateBatch(spec, policy.MinReplications, DateTimeOffset.UtcNow);
                    console.Stderr.WriteLine(created
                        ? $"batch {id}: {Scenarios(spec)}, baseline {spec.Baseline.Name}, submitted to the cluster at {store.Location}"
                        : $"batch {id}: the same batch was submitted before: following it (nothing new is created)");
                    return FollowInCluster(database, store, id, output, withMetrics);
                });
            }

            return WithStore(dbPath, create: true, store =>
            {
                var (id, _) = store.CreateBatch(spec, policy.MinReplications, DateTimeOffset.UtcNow);
                console.Stderr.WriteLine($"batch {id}: {Scenarios(spec)}, baseline {spec.Baseline.Name}, results in {dbPath}");
                return RunEmbedded(store, id, workerCount, output, withMetrics);
            });
        });
        return command;
    }

    private static string Scenarios(BatchSpec spec) =>
        $"{spec.Scenarios.Count} {(spec.Scenarios.Count == 1 ? "scenario" : "scenarios")} ({string.Join(", ", spec.Scenarios.Select(s => s.Name))})";

    public Command Compare()
    {
        var batches = new Argument<long[]>("BATCH") { Description = "Batch ids (as `tradesim batch` printed them)", Arity = ArgumentArity.ZeroOrMore };
        var scenarioRefs = new Option<string[]>("--scenario")
        {
            Description = "Compare scenarios of different batches instead: BATCH:NAME, the first the baseline (repeatable; the batches must share engine version and seed)",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<bool>("--json") { Description = "Write the comparison as JSON to stdout (an array when several batches are given)" };
        var outDir = CommandLineValues.OptionalPath("--out", "Write kpis.csv, summary.csv and vs_baseline.csv to this folder (one batch only)");
        var report = CommandLineValues.OptionalPath("--report", "Write a self-contained HTML report to this file (one batch only)");
        var command = new Command("compare", "Report stored batches again from the result database (or the cluster), exactly as `tradesim batch` reported them; or, with --scenario, compare scenarios of different batches.") { batches, scenarioRefs, ReadDatabase, Cluster, json, outDir, report };
        CommandLineValues.AddCombinationCheck(command, r =>
        {
            var given = r.GetValue(batches) is { Length: > 0 };
            var scenarios = r.GetValue(scenarioRefs) ?? [];
            if (given == scenarios.Length > 0)
            {
                r.AddError(given ? "give batch ids or --scenario BATCH:NAME, not both" : "compare needs batch ids, or --scenario BATCH:NAME at least twice");
            }

            if (scenarios.Length == 1)
            {
                r.AddError("--scenario needs at least two scenarios: the baseline first, then what to compare with it");
            }

            foreach (var text in scenarios)
            {
                if (ScenarioReference.Parse(text).Problem is { } problem)
                {
                    r.AddError(problem);
                }
            }
        });
        command.SetAction(parse =>
        {
            var ids = parse.GetValue(batches) ?? [];
            var references = (parse.GetValue(scenarioRefs) ?? []).Select(t => ScenarioReference.Parse(t).Reference!.Value).ToList();
            var output = new ComparisonOutput(parse.GetValue(json), parse.GetValue(outDir), parse.GetValue(report));
            if (output.Check() is { } outputProblem)
            {
                return Fail(outputProblem);
            }

            if (ids.Length > 1 && (output.OutDirectory is not null || output.ReportPath is not null))
            {
                return Fail("--out and --report take one batch: compare the batches one at a time");
            }

            return WithReader(parse, store =>
            {
                if (references.Count > 0)
                {
                    var (view, problem) = CrossBatchView.Open(store, references);
                    if (view is null)
                    {
                        return Fail(problem!);
                    }

                    var across = BatchComparison.Build(view, view.LoadBatch(0).Id) with { SourceBatches = view.Batches };
                    output.Write(console, view, [across]);
                    return ExitCodes.Success;
                }

                var comparisons = ids.Select(id => BatchComparison.Build(store, id)).ToList();
                output.Write(console, store, comparisons);
                return ExitCodes.Success;
            });
        });
        return command;
    }

    public Command Export()
    {
        var batch = new Argument<long>("BATCH") { Description = "Batch id" };
        var format = new Option<string>("--format") { Description = "csv, jsonl or parquet (parquet needs --out)", Required = true };
        format.AcceptOnlyFromAmong("csv", "jsonl", "parquet");
        var series = new Option<bool>("--series") { Description = "Write the daily series (batch, scenario, replication, seed, gate, day, mean_queue) instead of the KPIs" };
        var outFile = CommandLineValues.OptionalPath("--out", "Write to this file instead of stdout");
        var command = new Command("export", "Write a batch's per-run KPIs as a tidy table (batch, scenario, replication, seed, kpi, group, entity, measure, value), or its daily series.") { batch, ReadDatabase, Cluster, format, series, outFile };
        command.SetAction(parse =>
        {
            var id = parse.GetValue(batch);
            var target = parse.GetValue(outFile);
            var kind = parse.GetValue(format)!;
            if (kind == "parquet" && target is null)
            {
                return Fail("--format parquet writes a binary file: give it with --out FILE.parquet");
            }

            if (target is not null && ComparisonOutput.CheckFile(target, "--out") is { } problem)
            {
                return Fail(problem);
            }

            return WithReader(parse, store =>
            {
                store.LoadBatch(id);
                using var file = target is null ? null : File.Create(target);
                var stream = file ?? console.StdoutStream;
                console.Stdout.Flush();
                var withSeries = parse.GetValue(series);
                switch (kind)
                {
                    case "csv":
                        using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true))
                        {
                            if (withSeries)
                            {
                                BatchCsvWriter.WriteSeriesCsv(writer, store, id);
                            }
                            else
                            {
                                BatchCsvWriter.WriteTidyCsv(writer, store, id);
                            }
                        }

                        break;
                    case "jsonl":
                        if (withSeries)
                        {
                            BatchCsvWriter.WriteSeriesJsonl(stream, store, id);
                        }
                        else
                        {
                            BatchCsvWriter.WriteTidyJsonl(stream, store, id);
                        }

                        break;
                    default:
                        if (withSeries)
                        {
                            ParquetExport.WriteSeries(stream, store, id);
                        }
                        else
                        {
                            ParquetExport.WriteKpis(stream, store, id);
                        }

                        break;
                }

                stream.Flush();
                if (target is not null)
                {
                    console.Stderr.WriteLine($"wrote {target}");
                }

                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Runs a stored batch on a silo started in this process, and reports it when it completes.</summary>
    private int RunEmbedded(SqliteResultStore store, long id, int workers, ComparisonOutput output, bool withMetrics) =>
        RunEmbedded(store, id, workers, (s, i, p) => Report(s, i, p, output), withMetrics);

    /// <summary>
    /// Runs a stored batch on a silo started in this process, and hands it to <paramref name="report"/> when it
    /// completes. <paramref name="command"/> is the command that resumes it (`batch`, or `sensitivity` for a design's
    /// batch, whose resume reports the ranking rather than a comparison).
    /// </summary>
    internal int RunEmbedded(SqliteResultStore store, long id, int workers, Func<IResultStore, long, BatchProgressBar, int> report, bool withMetrics, string command = "batch")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(report);
        var progress = new BatchProgressBar(console.Stderr, console.StderrIsTerminal, id);
        if (store.LoadBatch(id).Status == BatchStatus.Complete)
        {
            // Nothing to run: report it again as it was reported.
            return report(store, id, progress);
        }

        FollowOutcome outcome;
        using (Metrics(withMetrics))
        {
            EmbeddedSilo silo;
            try
            {
                silo = EmbeddedSilo.StartAsync(store, workers, console.Stderr, console.Cancellation, runner).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (console.Cancellation.IsCancellationRequested)
            {
                console.Stderr.WriteLine($"interrupted before the batch started: batch {id} is kept in {store.Location}; run it with `tradesim {command} --resume {id} --db {store.Location}`");
                store.SetStatus(id, BatchStatus.Interrupted);
                return ExitCodes.Interrupted;
            }

            Task stopped;
            try
            {
                outcome = new BatchFollower(silo.Grains, progress, inCluster: false).Follow(id, console.Cancellation).GetAwaiter().GetResult();
            }
            finally
            {
                // Stopping the silo gives back the runs in progress (an interrupted batch keeps only finished runs).
                stopped = silo.DisposeAsync().AsTask();
            }

            if (outcome != FollowOutcome.Complete)
            {
                stopped.GetAwaiter().GetResult();
                var (done, total) = Counts(store, id);
                console.Stderr.WriteLine($"interrupted: batch {id} keeps {done} of {total} runs in {store.Location}; finish it with `tradesim {command} --resume {id} --db {store.Location}`");
                return ExitCodes.Interrupted;
            }

            // Complete: every result is in the store, so the report is written while the silo stops.
            try
            {
                return report(store, id, progress);
            }
            finally
            {
                stopped.GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Follows a batch that the cluster's silos run, and reports it when it completes.</summary>
    private int FollowInCluster(ClusterDatabase database, PostgresResultStore store, long id, ComparisonOutput output, bool withMetrics) =>
        FollowInCluster(database, store, id, (s, i, p) => Report(s, i, p, output), withMetrics);

    /// <summary>Follows a batch that the cluster's silos run, and hands it to <paramref name="report"/> when it completes.</summary>
    internal int FollowInCluster(ClusterDatabase database, PostgresResultStore store, long id, Func<IResultStore, long, BatchProgressBar, int> report, bool withMetrics, string command = "batch")
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(report);
        var progress = new BatchProgressBar(console.Stderr, console.StderrIsTerminal, id);
        if (store.LoadBatch(id).Status == BatchStatus.Complete)
        {
            return report(store, id, progress);
        }

        var outcome = FollowOutcome.Stopped;
        using (Metrics(withMetrics))
        {
            var connection = TradeSim.Client.Cluster.ClusterConnection.ConnectAsync(database, progress.Note, console.Stderr, console.Cancellation).GetAwaiter().GetResult();
            if (connection is not null)
            {
                try
                {
                    outcome = new BatchFollower(connection.Grains, progress, inCluster: true).Follow(id, console.Cancellation).GetAwaiter().GetResult();
                }
                finally
                {
                    connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
        }

        if (outcome != FollowOutcome.Complete)
        {
            var (done, total) = Counts(store, id);
            console.Stderr.WriteLine($"stopped following batch {id} ({done} of {total} runs done): the cluster goes on running it; follow it again with `tradesim {command} --resume {id} --cluster`");
            return ExitCodes.Interrupted;
        }

        return report(store, id, progress);
    }

    private int Report(IResultStore store, long id, BatchProgressBar progress, ComparisonOutput output)
    {
        console.Stderr.WriteLine($"batch {id}: complete, {progress.RunsPerSecond:F1} runs/s");
        output.Write(console, store, [BatchComparison.Build(store, id)]);
        return ExitCodes.Success;
    }

    /// <summary>Runs done or failed for good, and runs planned.</summary>
    private static (int Finished, int Planned) Counts(IResultStore store, long id)
    {
        var runs = store.RunStates(id);
        return (runs.Count(r => r.State != StoredRunState.Pending), runs.Count);
    }

    /// <summary>
    /// `--metrics`: TradeSim's and Orleans' meters through the OpenTelemetry console exporter. The exporter writes to
    /// the process's console output, so for the duration it is pointed at stderr: stdout carries only results.
    /// </summary>
    private IDisposable? Metrics(bool enabled)
    {
        if (!enabled)
        {
            return null;
        }

        var stdout = Console.Out;
        Console.SetOut(console.Stderr);
        var telemetry = TelemetrySetup.Start("tradesim", MetricsInterval);
        return new Restore(() =>
        {
            telemetry?.Dispose();
            Console.SetOut(stdout);
        });
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    public Command ClusterCommand()
    {
        var status = new Command("status", "List the cluster's silos (alive, suspected, not responding, dead; runs done) from Orleans' membership, and its batches.") { Cluster };
        status.SetAction(parse =>
        {
            var connection = ClusterConnectionString(parse, out var problem, required: true);
            return problem is not null ? Fail(problem) : WithCluster(connection!, (database, store) =>
            {
                var silos = ClusterMembership.Silos(database, console.Cancellation);
                ClusterStatusWriter.Write(console.Stdout, store.Location, silos, store.RunsDoneBySilo(), store.Batches(), DateTimeOffset.UtcNow);
                return ExitCodes.Success;
            });
        });
        return new Command("cluster", "Inspect a silo cluster (Orleans, with its membership and results in PostgreSQL).") { status };
    }

    /// <summary>
    /// The cluster connection string: `--cluster VALUE`, or `--cluster` alone (or, when <paramref name="required"/>,
    /// nothing) with $TRADESIM_CLUSTER. Null when the command should use the embedded silo.
    /// </summary>
    internal static string? ClusterConnectionString(ParseResult parse, out string? problem, bool required = false)
    {
        problem = null;
        var given = parse.GetResult(Cluster) is not null;
        if (!given && !required)
        {
            return null;
        }

        var value = parse.GetValue(Cluster);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Environment.GetEnvironmentVariable(ClusterVariable);
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            problem = $"no cluster: expected --cluster \"Host=...;Database=...;Username=...\" or the {ClusterVariable} environment variable";
        }

        return value;
    }

    internal int WithCluster(string connectionString, Func<ClusterDatabase, PostgresResultStore, int> action)
    {
        try
        {
            var database = ClusterDatabase.FromConnectionString(connectionString);
            database.Prepare();
            return action(database, new PostgresResultStore(database, console.Cancellation));
        }
        catch (ClusterUnavailableException e)
        {
            return Fail(e.Message);
        }
        catch (ResultStoreException e)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException) when (console.Cancellation.IsCancellationRequested)
        {
            console.Stderr.WriteLine("stopped while waiting for the cluster database");
            return ExitCodes.Interrupted;
        }
    }

    private int WithReader(ParseResult parse, Func<IResultStore, int> action)
    {
        var connection = ClusterConnectionString(parse, out var problem);
        if (problem is not null)
        {
            return Fail(problem);
        }

        return connection is not null ? WithCluster(connection, (_, store) => action(store)) : WithStore(parse.GetValue(ReadDatabase)!, create: false, action);
    }

    internal int WithStore(string path, bool create, Func<SqliteResultStore, int> action)
    {
        try
        {
            using var store = SqliteResultStore.Open(path, create);
            return action(store);
        }
        catch (ResultStoreException e) when (e.InnerException is null)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidCastException or ArithmeticException or KeyNotFoundException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // SQLite found no fault, but stored values do not decode or do not fit together (a KPI missing from one run,
            // a key twice): the file was damaged or edited by hand. The exception's type is kept, in case it is ours.
            console.Stderr.WriteLine(CommandLineValues.EscapeControls($"error: result database '{path}' holds values TradeSim cannot read or that do not fit together (damaged, or edited by hand): {e.GetType().Name}: {CommandLineValues.OneLine(e.Message)}"));
            return ExitCodes.Environment;
        }
    }

    internal int Fail(string message)
    {
        console.Stderr.WriteLine(CommandLineValues.EscapeControls($"error: {message}"));
        return ExitCodes.BadInput;
    }

    internal int Fail(OutputProblem problem)
    {
        console.Stderr.WriteLine(CommandLineValues.EscapeControls($"error: {problem.Message}"));
        return problem.ExitCode;
    }
}

/// <summary>Why an output cannot be written, and the exit code that says whose problem it is (the input's or the machine's).</summary>
internal sealed record OutputProblem(string Message, int ExitCode);

/// <summary>Where a comparison goes: text or JSON on stdout, and optionally CSV files and an HTML report.</summary>
internal sealed record ComparisonOutput(bool Json, string? OutDirectory, string? ReportPath)
{
    /// <summary>
    /// Whether the outputs can be written, checked before anything runs (a batch must not run for an hour and then
    /// fail to write its report): the paths' kinds, their folders, and a write into each (a probe file, removed).
    /// </summary>
    public OutputProblem? Check() =>
        (ReportPath is null ? null : CheckFile(ReportPath, "--report"))
        ?? (OutDirectory is null ? null : CheckFolder(OutDirectory, "--out"));

    public static OutputProblem? CheckFile(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (EmptyPath(path, option) is { } empty)
        {
            return empty;
        }

        if (Directory.Exists(path))
        {
            return new OutputProblem($"{option} '{path}' is a folder: expected a file path", ExitCodes.BadInput);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            return new OutputProblem($"{option} '{path}': folder '{folder}' does not exist", ExitCodes.BadInput);
        }

        if (File.Exists(path))
        {
            // Opened for writing without truncating: the file is left as it is.
            return Probe(() => new FileStream(path, FileMode.Open, FileAccess.Write).Dispose(), option, path);
        }

        return folder is null ? null : ProbeFolder(folder, option, path);
    }

    /// <summary>The command line refuses these paths already; a caller that builds one itself gets the same answer, not an exception.</summary>
    private static OutputProblem? EmptyPath(string path, string option) =>
        string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal)
            ? new OutputProblem($"{option} must be a file or folder path, not {CommandLineValues.Quote(path)}", ExitCodes.BadInput)
            : null;

    private static OutputProblem? CheckFolder(string path, string option)
    {
        if (EmptyPath(path, option) is { } empty)
        {
            return empty;
        }

        if (File.Exists(path))
        {
            return new OutputProblem($"{option} '{path}' is a file: expected a folder", ExitCodes.BadInput);
        }

        // A folder that does not exist yet is created when the tables are written: its parent must then be writable.
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        return ProbeFolder(existing, option, path);
    }

    private static OutputProblem? ProbeFolder(string folder, string option, string path)
    {
        var probe = Path.Combine(folder, $".tradesim-write-check-{Environment.ProcessId}");
        return Probe(
            () =>
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            },
            option,
            path);
    }

    private static OutputProblem? Probe(Action write, string option, string path)
    {
        try
        {
            write();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new OutputProblem($"{option} '{path}' cannot be written: {CommandLineValues.OneLine(e.Message)}", ExitCodes.Environment);
        }
    }

    public void Write(CliConsole console, IResultStore store, IReadOnlyList<BatchComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (OutDirectory is not null)
        {
            foreach (var path in BatchCsvWriter.WriteFolder(OutDirectory, store, comparisons[0]))
            {
                console.Stderr.WriteLine($"wrote {path}");
            }
        }

        if (ReportPath is not null)
        {
            using (var writer = new StreamWriter(ReportPath, append: false, new System.Text.UTF8Encoding(false)))
            {
                HtmlReportWriter.Write(writer, comparisons[0], string.Join(' ', console.Arguments.Prepend("tradesim")));
            }

            console.Stderr.WriteLine($"wrote {ReportPath}");
        }

        if (Json)
        {
            console.Stdout.Flush();
            BatchJsonWriter.Write(console.StdoutStream, comparisons);
            console.StdoutStream.Flush();
        }
        else
        {
            for (var i = 0; i < comparisons.Count; i++)
            {
                if (i > 0)
                {
                    console.Stdout.WriteLine();
                }

                BatchTextWriter.Write(console.Stdout, comparisons[i]);
            }
        }
    }
}
