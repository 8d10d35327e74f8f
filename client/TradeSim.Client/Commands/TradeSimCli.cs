using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Client.Calibration;
using TradeSim.Client.Output;
using TradeSim.Client.Scenarios;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Runs;
using TradeSim.Silo.Cluster;
using TradeSim.Silo.Hosting;

namespace TradeSim.Client.Commands;

/// <summary>The `tradesim` command line: validate, run, scenarios, calibrate, batch, compare, export.</summary>
internal sealed class TradeSimCli(TextWriter stdout, TextWriter errors, Stream stdoutStream, bool stderrIsTerminal = false, CancellationToken cancellation = default)
{
    // The progress display, the embedded silo's log and the metrics exporter write from several threads.
    private readonly TextWriter _stderr = TextWriter.Synchronized(errors);


    private readonly ReplicationRunner _runner = new();

    public int Invoke(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Build(new CliConsole(stdout, _stderr, stdoutStream, RedactSecrets(args), stderrIsTerminal, cancellation));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // An unknown command is also "no command given" to the parser: say only what was wrong.
            var unknown = parsed.Errors.Any(e => e.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal));
            foreach (var error in parsed.Errors.Where(e => !(unknown && e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))))
            {
                _stderr.WriteLine(CommandLineValues.EscapeControls($"error: {error.Message}"));
            }

            _stderr.WriteLine($"Run '{CommandPath(parsed)} --help' for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = _stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // The one error path: whatever a command did not handle becomes one line and an exit code.
            var (code, message) = CommandFailure.Describe(e);
            TryWriteError(CommandLineValues.EscapeControls($"error: {message}"));
            if (parsed.GetValue(Verbose))
            {
                TryWriteError(e.ToString());
            }

            return code;
        }
    }

    /// <summary>`--verbose`, on every command: a failure also prints its stack trace.</summary>
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "On failure, also print the stack trace", Recursive = true };

    private void TryWriteError(string line)
    {
        try
        {
            _stderr.WriteLine(line);
        }
        catch (IOException)
        {
            // stderr itself is gone (a closed pipe, a full disk): the exit code is all that is left to say it.
        }
    }

    /// <summary>
    /// The command line as it may be stored with a batch and shown in reports: a `--cluster` connection string loses
    /// its password.
    /// </summary>
    internal static string[] RedactSecrets(string[] args)
    {
        var redacted = (string[])args.Clone();
        for (var i = 0; i < redacted.Length; i++)
        {
            if (redacted[i].StartsWith("--cluster=", StringComparison.Ordinal))
            {
                redacted[i] = "--cluster=" + ClusterDatabase.Redact(redacted[i]["--cluster=".Length..]);
            }
            else if (redacted[i] == "--cluster" && i + 1 < redacted.Length && !redacted[i + 1].StartsWith('-'))
            {
                redacted[i + 1] = ClusterDatabase.Redact(redacted[i + 1]);
            }
        }

        return redacted;
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null; r = r.Parent as CommandResult)
        {
            names.Add(r.Command.Name);
        }

        names.Reverse();
        if (names.Count > 0)
        {
            names[0] = "tradesim";
        }

        return string.Join(' ', names);
    }

    private RootCommand Build(CliConsole console)
    {
        var batches = new BatchCommands(console, _runner);
        var root = new RootCommand("TradeSim: simulate freight across land borders - trucks, gates, queues - and compare what-if scenarios.");
        root.Options.Add(Verbose);
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ScenariosCommand());
        root.Subcommands.Add(KpisCommand());
        root.Subcommands.Add(CalibrateCommand());
        root.Subcommands.Add(batches.Batch());
        root.Subcommands.Add(batches.Compare());
        root.Subcommands.Add(batches.Export());
        root.Subcommands.Add(new SensitivityCommand(console, _runner, batches).Build());
        root.Subcommands.Add(batches.ClusterCommand());
        root.Subcommands.Add(GenerateCommand());
        return root;
    }

    private Command ValidateCommand()
    {
        var files = new Argument<string[]>("FILE") { Description = "Scenario files (or bundled scenario names) to check", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check scenario files: syntax, ids, references, ranges and routes. Exit code 2 on any error; a fleet too small for its demand is a warning.") { files };
        command.SetAction(parse =>
        {
            var failed = false;
            foreach (var file in parse.GetValue(files)!)
            {
                var errors = new List<ScenarioError>();
                if (LoadAndCompile(file, null, errors) is not { } network)
                {
                    ErrorReport.Scenario(_stderr, errors);
                    failed = true;
                }
                else
                {
                    stdout.WriteLine($"ok: {file}");

                    // A warning, not an error: the scenario runs, and its fleet's backlog (fleet.K.backlog_tonnes) shows the shortfall.
                    foreach (var s in network.FleetShortfalls())
                    {
                        var hired = s.MaxHiredTrucks > 0 ? string.Create(CultureInfo.InvariantCulture, $", the {s.MaxHiredTrucks:N0} it may hire included") : string.Empty;
                        _stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: {file}: carrier '{s.Carrier}' has {s.Trucks:N0} trucks, but its flows ({s.TonnesPerYear:N0} t a year) need about {s.TrucksNeeded:N0} at free-flow times ({s.TruckHoursNeeded:N0} truck-hours a year against {s.TruckHoursAvailable:N0}{hired}): cargo will pile up at the origin; add trucks or lower the demand"));
                    }
                }
            }

            return failed ? ExitCodes.BadInput : ExitCodes.Success;
        });
        return command;
    }

    private Command RunCommand()
    {
        var file = new Argument<string>("FILE") { Description = "Scenario file, or the name of a bundled scenario (see `tradesim scenarios`)" };
        var seed = CommandLineValues.Seed("--seed", "Master seed of the random streams", 1);
        var replication = CommandLineValues.Int("--replication", "Replication index (0-based); with the seed it selects the random streams", 0, int.MaxValue, () => 0);
        var days = CommandLineValues.OptionalInt("--days", "Days of statistics (overrides the scenario's settings.days)", 1, 36600);
        var threads = CommandLineValues.Int("--threads", "Threads for the phases of a step; results are identical for any value", 1, 1024, () => 1);
        var json = new Option<bool>("--json") { Description = "Write the result as JSON to stdout instead of the summary" };
        var outDir = CommandLineValues.OptionalPath("--out", "Write CSV tables (gates, posts, corridors, commodities, daily series) to this folder");
        var command = new Command("run", "Run one replication of a scenario in this process and summarise it.") { file, seed, replication, days, threads, json, outDir };
        command.SetAction(parse =>
        {
            var errors = new List<ScenarioError>();
            var settings = parse.GetValue(days) is { } d ? new RunSettingsOverride(Days: d) : null;
            var scenario = ScenarioFiles.Load(parse.GetValue(file)!, errors);
            if (scenario is null)
            {
                return ErrorReport.Scenario(_stderr, errors);
            }

            RunResult result;
            var request = new RunRequest(scenario.Layers, parse.GetValue(seed), parse.GetValue(replication), settings, parse.GetValue(threads));
            try
            {
                result = _runner.Run(request);
            }
            catch (ScenarioRejectedException e)
            {
                return ErrorReport.Scenario(_stderr, e.Errors);
            }

            if (parse.GetValue(outDir) is { } dir)
            {
                try
                {
                    foreach (var path in RunCsvWriter.Write(dir, result))
                    {
                        _stderr.WriteLine($"wrote {path}");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _stderr.WriteLine(CommandLineValues.EscapeControls($"error: cannot write to --out '{dir}': {e.Message}"));
                    return ExitCodes.BadInput;
                }
            }

            if (parse.GetValue(json))
            {
                stdout.Flush();
                RunJsonWriter.Write(stdoutStream, result, request.ScenarioHash);
                stdoutStream.Flush();
            }
            else
            {
                RunSummaryWriter.Write(stdout, result);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private Command ScenariosCommand()
    {
        var command = new Command("scenarios", "List the bundled scenarios with their descriptions.");
        command.SetAction(_ =>
        {
            foreach (var name in ScenarioFiles.BundledNames())
            {
                var errors = new List<ScenarioError>();
                var file = ScenarioFiles.Load(name, errors);
                var parsed = file is null ? null : ScenarioParser.Parse(file.Layers);
                var description = parsed?.Definition?.Description ?? $"(invalid: {errors.Concat(parsed?.Errors ?? []).FirstOrDefault()})";
                var extends = file is { Layers.Count: > 1 } ? $" (extends {Path.GetFileNameWithoutExtension(file.Layers[^2].Name)})" : string.Empty;
                stdout.WriteLine($"{name}{extends}");
                stdout.WriteLine($"    {description}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The KPI catalogue: every name a run, a batch and an export use, with its unit and meaning.</summary>
    private Command KpisCommand()
    {
        var json = new Option<bool>("--json") { Description = "Write the catalogue as JSON to stdout" };
        var command = new Command("kpis", "List every KPI: its name (G a gate, P a post's country, C a corridor, F a flow, K a carrier's fleet), unit, whether it is a headline KPI, and what it measures.") { json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                stdout.Flush();
                var stream = stdoutStream;
                using var w = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true });
                w.WriteStartArray();
                foreach (var m in KpiCatalogue.All)
                {
                    w.WriteStartObject();
                    w.WriteString("kpi", m.Pattern);
                    w.WriteString("group", KpiCatalogue.Prefix(m.Group));
                    w.WriteString("measure", m.Measure);
                    w.WriteString("unit", m.Unit);
                    w.WriteString("label", m.Label);
                    w.WriteBoolean("headline", m.Headline);
                    w.WriteString("aggregation", m.Aggregation.ToString().ToLowerInvariant());
                    w.WriteString("description", m.Description);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.Flush();
                stream.WriteByte((byte)'\n');
                stream.Flush();
                return ExitCodes.Success;
            }

            Output.TextTable.Write(
                stdout,
                ["KPI", "unit", "headline", "meaning"],
                KpiCatalogue.All.Select(m => new[] { m.Pattern, m.Unit, m.Headline ? "yes" : string.Empty, m.Description }),
                textColumns: 4);
            return ExitCodes.Success;
        });
        return command;
    }

    private Command CalibrateCommand()
    {
        var scenario = new Option<string>("--scenario") { Description = "Scenario with a `calibration:` section", DefaultValueFactory = _ => "baseline" };
        var replications = CommandLineValues.Int("--replications", "Replications to average (at least 2 for an interval)", 1, 100_000, () => 20);
        var seed = CommandLineValues.Seed("--seed", "Master seed", 1);
        var tolerance = CommandLineValues.Fraction("--tolerance", "Largest relative error accepted, as a fraction", 0, 10, "0.05", () => 0.05);
        var fitTolerance = CommandLineValues.Fraction("--fit-tolerance", "The fit stops when every fitted target is this close, as a fraction", 0, 1, "0.002", () => 0.002);
        var noFit = new Option<bool>("--no-fit") { Description = "Measure the targets at the file's values, without fitting the parameters" };
        var parameterOption = new Option<string[]>("--parameter") { Description = "Fit this number too: PATH=MIN..MAX, e.g. --parameter gates.nam-giang.travellers.persons_per_vehicle=1..30 (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var fitTarget = new Option<string[]>("--fit-target") { Description = "Fit a target the file holds out (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var holdOut = new Option<string[]>("--hold-out") { Description = "Hold out a target the file fits: predict it instead (repeatable)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Write the targets as JSON to stdout" };
        var command = new Command("calibrate", "Fit the scenario's calibration parameters to its targets, then measure every target, the held-out ones as predictions (exit 1 if a fitted target misses the tolerance).") { scenario, replications, seed, tolerance, fitTolerance, noFit, parameterOption, fitTarget, holdOut, json };
        command.SetAction(parse =>
        {
            var errors = new List<ScenarioError>();
            var file = ScenarioFiles.Load(parse.GetValue(scenario)!, errors);
            if (file is null)
            {
                return ErrorReport.Scenario(_stderr, errors);
            }

            var parsed = ScenarioParser.Parse(file.Layers);
            if (!parsed.Succeeded)
            {
                return ErrorReport.Scenario(_stderr, parsed.Errors);
            }

            if (parsed.Definition!.Calibration is not { } calibration)
            {
                _stderr.WriteLine(CommandLineValues.EscapeControls($"error: {file.Path}: no `calibration:` section: expected from, to and targets"));
                return ExitCodes.BadInput;
            }

            var problems = new List<string>();
            calibration = CalibrationChoices.Apply(calibration, parse.GetValue(parameterOption) ?? [], parse.GetValue(fitTarget) ?? [], parse.GetValue(holdOut) ?? [], problems);
            var parameters = parse.GetValue(noFit) ? [] : calibration.Parameters;
            var start = new double[parameters.Count];
            for (var j = 0; j < parameters.Count; j++)
            {
                var p = parameters[j];
                if (Calibrator.ValueAt(file.Layers, p.Path, out var problem) is not { } value)
                {
                    problems.Add($"calibration parameter {p.Path}: {problem}: expected the path of a number of the scenario, as --set takes it");
                    continue;
                }

                if (value < p.Min || value > p.Max)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"calibration parameter {p.Path}: the file's value {value} is outside its bounds [{p.Min}, {p.Max}]: expected bounds around it"));
                }

                start[j] = value;
            }

            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    _stderr.WriteLine(CommandLineValues.EscapeControls($"error: {file.Path}: {problem}"));
                }

                return ExitCodes.BadInput;
            }

            var n = parse.GetValue(replications);
            var masterSeed = parse.GetValue(seed);
            var calibrator = new Calibrator(_runner, calibration, file.Layers, masterSeed, n);
            try
            {
                // Every period, and every parameter at both its bounds, must compile before any run.
                foreach (var period in calibration.Periods())
                {
                    var settings = new RunSettingsOverride(Start: period.From, Days: period.Days);
                    _runner.Compile(calibrator.WithValues(parameters, start), settings);
                    for (var j = 0; j < parameters.Count; j++)
                    {
                        foreach (var bound in new[] { parameters[j].Min, parameters[j].Max })
                        {
                            var at = (double[])start.Clone();
                            at[j] = bound;
                            _runner.Compile(calibrator.WithValues(parameters, at), settings);
                        }
                    }
                }
            }
            catch (ScenarioRejectedException e)
            {
                return ErrorReport.Scenario(_stderr, e.Errors);
            }

            CalibrationFitSummary? fit = null;
            var values = start;
            if (parameters.Count > 0)
            {
                (values, fit) = calibrator.Fit(parameters, start, parse.GetValue(fitTolerance), maxIterations: 20);
            }

            var report = calibrator.Measure(calibrator.WithValues(parameters, values)).Report(parsed.Definition.Name, masterSeed, parse.GetValue(tolerance)) with { Fit = fit };
            if (parse.GetValue(json))
            {
                stdout.Flush();
                CalibrationReportWriter.WriteJson(stdoutStream, report);
            }
            else
            {
                CalibrationReportWriter.WriteText(stdout, report);
            }

            return report.AllWithinTolerance ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private Command GenerateCommand()
    {
        var gates = CommandLineValues.Int("--gates", "Border gates (pairs of posts)", 1, int.MaxValue);
        var provinces = CommandLineValues.Int("--provinces", "Vietnamese provinces, each with a fleet and a flow", 1, int.MaxValue);
        var trucks = CommandLineValues.Int("--trucks", "Trucks in all, shared among the provinces' fleets", 1, int.MaxValue);
        gates.Required = provinces.Required = trucks.Required = true;
        var outFile = CommandLineValues.OptionalPath("--out", "The scenario file to write");
        outFile.Required = true;
        var seed = CommandLineValues.Seed("--seed", "Seed of the generated distances and values", 1);
        var days = CommandLineValues.Int("--days", "Days of statistics in the scenario's settings", 1, 36600, () => 30);
        var command = new Command("generate", "Write a valid synthetic scenario of a given size (a regional network of many gates and fleets), for scale tests.") { gates, provinces, trucks, outFile, seed, days };
        command.SetAction(parse =>
        {
            var size = new WorldSize(parse.GetValue(gates), parse.GetValue(provinces), parse.GetValue(trucks), parse.GetValue(seed), parse.GetValue(days));
            if (size.Problem() is { } problem)
            {
                _stderr.WriteLine(CommandLineValues.EscapeControls($"error: {problem}"));
                return ExitCodes.BadInput;
            }

            var path = parse.GetValue(outFile)!;
            if (ComparisonOutput.CheckFile(path, "--out") is { } pathProblem)
            {
                _stderr.WriteLine(CommandLineValues.EscapeControls($"error: {pathProblem.Message}"));
                return pathProblem.ExitCode;
            }

            var text = WorldGenerator.Generate(size);

            // The generator's output must always be a valid scenario: check it before it reaches the user.
            var network = ReplicationRunner.CompileNow([new ScenarioSource(Path.GetFileName(path), text)], null);
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
            _stderr.WriteLine($"wrote {path}: {size.Gates} gates, {size.Provinces} provinces, {network.TruckCount} trucks");
            return ExitCodes.Success;
        });
        return command;
    }

    private CompiledNetwork? LoadAndCompile(string pathOrName, RunSettingsOverride? settings, List<ScenarioError> errors)
    {
        var file = ScenarioFiles.Load(pathOrName, errors);
        if (file is null)
        {
            return null;
        }

        try
        {
            return _runner.Compile(file.Layers, settings);
        }
        catch (ScenarioRejectedException e)
        {
            errors.AddRange(e.Errors);
            return null;
        }
    }
}
