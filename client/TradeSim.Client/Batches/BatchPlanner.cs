using TradeSim.Client.Scenarios;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Batches;

namespace TradeSim.Client.Batches;

/// <summary>What the command line asks a new batch to run.</summary>
internal sealed record BatchRequest(IReadOnlyList<string> Files, IReadOnlyList<string> Sets, string? Sweep, string? Baseline);

/// <summary>
/// Turns the files and overrides of a `tradesim batch` command into the batch's scenarios, checking everything a run
/// could trip over (files, `--set` paths and values, routes) before anything is written.
/// `--set` changes every scenario, the baseline included. `--sweep` expands every scenario but the baseline into one
/// scenario per value; when the baseline is the only file, it is kept as the reference and the sweep adds variants of it.
/// A batch never holds two different texts of one file (see <see cref="TwoTexts"/>): a what-if that extends an edited
/// copy of the baseline would otherwise be compared with the other baseline and show an effect nobody made.
/// </summary>
internal static class BatchPlanner
{
    public static (IReadOnlyList<BatchScenario> Scenarios, int BaselinePosition)? Plan(BatchRequest request, ReplicationRunner runner, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(errors);
        var sets = request.Sets.Select(s => ScenarioOverrides.ParseSet(s, errors)).ToList();
        var sweep = request.Sweep is null ? null : ScenarioOverrides.ParseSweep(request.Sweep, errors);
        var files = new List<(string Argument, ScenarioFile File)>();
        foreach (var argument in request.Files)
        {
            var scenarioErrors = new List<ScenarioError>();
            if (ScenarioFiles.Load(argument, scenarioErrors) is { } file)
            {
                files.Add((argument, file));
            }

            errors.AddRange(scenarioErrors.Select(Describe));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        if (TwoTexts(files.Select(f => f.File).ToList()) is { } mixed)
        {
            errors.Add(Describe(mixed));
            return null;
        }

        // Every file with the --set layers on top, each path checked against what it changes.
        var layered = new List<(string Argument, List<ScenarioSource> Layers)>();
        foreach (var (argument, file) in files)
        {
            var layers = file.Layers.ToList();
            foreach (var set in sets)
            {
                if (ScenarioOverrides.CheckPath(layers, set!) is { } problem)
                {
                    errors.Add($"{argument}: {problem}");
                }

                layers.Add(set!.ToLayer());
            }

            layered.Add((argument, layers));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var named = layered.Select(l => (l.Argument, l.Layers, Name: NameOf(l.Layers, errors))).ToList();
        if (errors.Count > 0)
        {
            return null;
        }

        var baseline = 0;
        if (request.Baseline is { } wanted)
        {
            baseline = named.FindIndex(n => n.Name == wanted || n.Argument == wanted);
            if (baseline < 0)
            {
                errors.Add($"--baseline {wanted}: not one of the batch's scenarios: expected one of {string.Join(", ", named.Select(n => n.Name))}");
                return null;
            }
        }

        var scenarios = new List<(string Name, List<ScenarioSource> Layers)>();
        var baselinePosition = 0;
        for (var i = 0; i < named.Count; i++)
        {
            var (_, layers, name) = named[i];
            if (i == baseline)
            {
                baselinePosition = scenarios.Count;
            }

            var swept = sweep is not null && (i != baseline || named.Count == 1);
            if (!swept || i == baseline)
            {
                scenarios.Add((name!, layers));
            }

            if (swept)
            {
                foreach (var value in sweep!)
                {
                    if (ScenarioOverrides.CheckPath(layers, value) is { } problem)
                    {
                        errors.Add($"{named[i].Argument}: {problem}");
                        return null;
                    }

                    scenarios.Add(($"{name}[{value.Path}={value.Value}]", [.. layers, value.ToLayer()]));
                }
            }
        }

        foreach (var duplicate in scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"scenario '{duplicate.Key}' is in the batch {duplicate.Count()} times: expected each scenario once");
        }

        var result = scenarios.Select((s, i) => new BatchScenario(i, s.Name, s.Layers)).ToList();
        foreach (var s in result)
        {
            try
            {
                runner.Compile(s.Layers);
            }
            catch (ScenarioRejectedException e)
            {
                errors.AddRange(e.Errors.Select(Describe));
            }
        }

        return errors.Count > 0 ? null : (result, baselinePosition);
    }

    /// <summary>A located scenario error; one in a command-line layer is reported by its option, not a line and column.</summary>
    public static string Describe(ScenarioError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var source = error.Location.Source;
        return source.StartsWith("--set ", StringComparison.Ordinal) || source.StartsWith("--sweep ", StringComparison.Ordinal) || source.StartsWith("--input ", StringComparison.Ordinal)
            ? $"{source}: {error.Message}"
            : error.ToString();
    }

    /// <summary>
    /// Two different texts of one file in the batch's scenarios: two layers read from files of the same name (the
    /// bundled baseline.yaml and a copy of it in another folder, or one path read twice) whose texts differ. Identical
    /// texts are fine wherever they lie. The files named on the command line are not compared with each other (two
    /// what-ifs may share a file name in different folders); every file a scenario extends is compared with every other
    /// layer. A bundled file, when one is involved, is the reference; the error is located at the first differing line
    /// of the other.
    /// </summary>
    internal static ScenarioError? TwoTexts(IReadOnlyList<ScenarioFile> files)
    {
        var layers = files.SelectMany(f => f.LayerPaths.Select((path, i) => (Path: path, f.Layers[i].Name, f.Layers[i].Text, ExtendedBy: i + 1 < f.Layers.Count ? f.Layers[i + 1].Name : null)));
        foreach (var sameName in layers.GroupBy(l => Path.GetFileName(l.Path), StringComparer.Ordinal))
        {
            var copies = sameName.OrderBy(l => ScenarioFiles.IsBundled(l.Path) ? 0 : 1).ToList();
            for (var i = 0; i < copies.Count; i++)
            {
                for (var j = i + 1; j < copies.Count; j++)
                {
                    var (a, b) = (copies[i], copies[j]);
                    if ((a.ExtendedBy is null && b.ExtendedBy is null) || string.Equals(a.Text, b.Text, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var line = FirstDifferentLine(a.Text, b.Text);
                    var at = new SourceLocation(b.Name, line, 1);
                    if (string.Equals(a.Path, b.Path, StringComparison.Ordinal))
                    {
                        return new ScenarioError(at, $"'{b.Name}' changed while the batch read it: two readings differ at line {line}: run the batch again when the file is no longer being written");
                    }

                    var bundled = ScenarioFiles.IsBundled(a.Path);
                    var name = Path.GetFileNameWithoutExtension(sameName.Key);
                    var advice = (bundled, b.ExtendedBy) switch
                    {
                        (true, { } extender) => $"write `extends: {name}` in '{extender}'",
                        (true, null) => $"name `{name}` on the command line instead of '{b.Name}'",
                        _ => "extend one copy, or give the copies different file names",
                    };
                    var noun = bundled ? name : "file";
                    return new ScenarioError(at, $"two different texts of {sameName.Key} in one batch: '{a.Name}'{(bundled ? " (bundled)" : string.Empty)} and '{b.Name}' differ at line {line}; a what-if must extend the same {noun} the batch compares it with: {advice}");
                }
            }
        }

        return null;
    }

    /// <summary>The 1-based line of the first character where two texts differ (where the shorter ends when one is a prefix of the other).</summary>
    private static int FirstDifferentLine(string a, string b)
    {
        var line = 1;
        var common = Math.Min(a.Length, b.Length);
        for (var i = 0; i < common && a[i] == b[i]; i++)
        {
            if (a[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static string? NameOf(List<ScenarioSource> layers, List<string> errors)
    {
        var parsed = ScenarioParser.Parse(layers);
        errors.AddRange(parsed.Errors.Select(Describe));
        return parsed.Definition?.Name;
    }
}
