using System.Globalization;
using TradeSim.Client.Batches;
using TradeSim.Grains.Batches;
using TradeSim.Grains.Runs;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Sensitivity;

/// <summary>What `tradesim sensitivity` is asked: the scenario (and what it is compared with), the inputs, the design and the response.</summary>
internal sealed record SensitivityRequest(
    string Scenario,
    string? Versus,
    IReadOnlyList<string> Inputs,
    double Range,
    int Trajectories,
    int GridLevels,
    IReadOnlyList<string> Kpis,
    int Replications,
    ulong Seed);

/// <summary>
/// One input of a sensitivity analysis: a scalar number of the scenario at <see cref="Path"/>, written in
/// <see cref="File"/> (layer <see cref="Layer"/> of the scenario's chain), varied from <see cref="Low"/> to
/// <see cref="High"/>; whole numbers (lanes, trucks, capacities) are rounded. <see cref="Note"/> says when the range
/// was clipped to the values the scenario accepts.
/// </summary>
internal sealed record SensitivityInput(string Path, string File, int Layer, double Value, double Low, double High, bool Whole, string? Note)
{
    /// <summary>The value at a point of the unit interval, as written into the override layer.</summary>
    public string TextAt(double fraction)
    {
        var raw = Low + (fraction * (High - Low));
        return Whole
            ? Math.Round(raw, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)
            : raw.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>Where a written value lies on the input's range, 0 at <see cref="Low"/> and 1 at <see cref="High"/>.</summary>
    public double FractionOf(string text) => (double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) - Low) / (High - Low);

    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>One design point: its trajectory, its step (0 the base point), and the value text of every input there.</summary>
internal sealed record DesignPoint(int Trajectory, int Step, IReadOnlyList<string> Values);

/// <summary>
/// A sensitivity analysis made into a batch: the inputs, the Morris design, and per design point one scenario (and
/// one of the compared scenario with the same values), each the scenario's files with one `--input PATH=VALUE` layer
/// per input placed directly above the file that writes the input.
/// </summary>
internal sealed record SensitivityPlan(
    SensitivityRequest Request,
    string ScenarioName,
    string? VersusName,
    IReadOnlyList<SensitivityInput> Inputs,
    MorrisDesign Design,
    IReadOnlyList<DesignPoint> Points,
    IReadOnlyList<BatchScenario> Scenarios,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// The option whose layers carry a design point's values (their names start with it). The kernel knows them by
    /// that name (<see cref="ScenarioSource.AssumptionLayerPrefix"/>): a varied assumption of the baseline is part of
    /// the reference its what-ifs' trade responds against, so varying it moves no stated volume.
    /// </summary>
    public const string LayerOption = "--input";

    /// <summary>Scenarios per design point: the scenario, and the compared one with `--versus`.</summary>
    public int PerPoint => VersusName is null ? 1 : 2;

    /// <summary>The runs the batch holds: design points x scenarios x replications.</summary>
    public long Runs => (long)Scenarios.Count * Request.Replications;

    public int ScenarioPosition(int point) => point * PerPoint;

    public int VersusPosition(int point) => (point * PerPoint) + 1;
}

/// <summary>
/// Builds a <see cref="SensitivityPlan"/> from scenario texts, checking every input, range, KPI and design point before
/// anything is written. The same texts and request always give the same plan, which is how a stored batch is read
/// back (`--resume`): from its stored texts, not the files.
/// </summary>
internal static class SensitivityPlanner
{
    /// <summary>Sections that no run reads (observed figures, a what-if's costs): their numbers change no KPI.</summary>
    private static readonly string[] NotRunSections = ["calibration", "appraisal"];

    /// <summary>
    /// The step is the simulation's resolution, not an assumption about the world: results are step-independent up to
    /// 60 minutes (StepLengthTests), and only divisors of a day are valid.
    /// </summary>
    private const string StepPath = "settings.step_minutes";

    public static SensitivityPlan? Plan(SensitivityRequest request, IReadOnlyList<ScenarioSource> scenario, IReadOnlyList<ScenarioSource>? versus, ReplicationRunner runner, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(errors);
        var parsed = Parse(scenario, errors);
        var parsedVersus = versus is null ? null : Parse(versus, errors);
        if (parsed is null || (versus is not null && parsedVersus is null))
        {
            return null;
        }

        var name = parsed.Definition!.Name;
        var versusName = parsedVersus?.Definition!.Name;
        if (versusName == name)
        {
            errors.Add($"--versus {request.Versus}: it is the scenario itself ('{name}'): expected another scenario to compare with");
            return null;
        }

        CheckKpis(request.Kpis, parsed.Definition!, parsedVersus?.Definition, errors);
        var notes = new List<string>();
        var ranges = parsed.NumberRanges.Concat(parsedVersus?.NumberRanges ?? new Dictionary<SourceLocation, NumberRange>())
            .GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.First().Value);
        var leaves = scenario.Select(Leaves).ToList();
        var inputs = request.Inputs.Count == 0
            ? DefaultInputs(request, scenario, leaves, ranges, notes)
            : ListedInputs(request, scenario, leaves, ranges, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        if (inputs.Count == 0)
        {
            errors.Add($"{request.Scenario}: no input to vary: no scalar number of its files is tagged `# assumption: ...`; name inputs with --input PATH");
            return null;
        }

        notes.AddRange(inputs.Where(i => i.Note is not null).Select(i => $"{i.Path}: {i.Note}"));
        var design = MorrisDesign.Create(inputs.Count, request.Trajectories, request.GridLevels, request.Seed);
        var points = new List<DesignPoint>(design.Points);
        for (var t = 0; t < design.Trajectories.Count; t++)
        {
            var levels = design.Trajectories[t].Levels;
            for (var m = 0; m < levels.Count; m++)
            {
                points.Add(new DesignPoint(t, m, [.. inputs.Select((input, j) => input.TextAt(design.Fraction(levels[m][j])))]));
            }
        }

        // Where each scenario file lies in the compared scenario's chain: an input goes above the same file there.
        var versusLayerOf = scenario.Select(layer => versus is null ? -1 : FindLayer(versus, layer)).ToArray();
        var scenarios = new List<BatchScenario>();
        foreach (var point in points)
        {
            var suffix = string.Create(CultureInfo.InvariantCulture, $"[t{point.Trajectory}.{point.Step}]");
            scenarios.Add(new BatchScenario(scenarios.Count, name + suffix, WithInputs(scenario, inputs, point, i => i)));
            if (versus is not null)
            {
                scenarios.Add(new BatchScenario(scenarios.Count, versusName + suffix, WithInputs(versus, inputs, point, home => versusLayerOf[home])));
            }
        }

        // Every design point must be a valid scenario; the first failure names the input layer it comes from.
        foreach (var s in scenarios)
        {
            try
            {
                runner.Compile(s.Layers);
            }
            catch (ScenarioRejectedException e)
            {
                errors.AddRange(e.Errors.Select(error => $"{s.Name}: {BatchPlanner.Describe(error)}"));
                return null;
            }
        }

        return new SensitivityPlan(request, name, versusName, inputs, design, points, scenarios, notes);
    }

    /// <summary>A stored design point's layers without its input layers: the scenario's own files.</summary>
    public static IReadOnlyList<ScenarioSource> FilesOf(BatchScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return [.. scenario.Layers.Where(l => !l.Name.StartsWith(SensitivityPlan.LayerOption + " ", StringComparison.Ordinal))];
    }

    private static ScenarioParseResult? Parse(IReadOnlyList<ScenarioSource> layers, List<string> errors)
    {
        var parsed = ScenarioParser.Parse(layers);
        if (!parsed.Succeeded)
        {
            errors.AddRange(parsed.Errors.Select(BatchPlanner.Describe));
            return null;
        }

        return parsed;
    }

    private static int FindLayer(IReadOnlyList<ScenarioSource> layers, ScenarioSource layer)
    {
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i].Name == layer.Name && layers[i].Text == layer.Text)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The layers with each input's `--input PATH=VALUE` layer directly above the layer that writes it (none where that file is not in the chain).</summary>
    private static List<ScenarioSource> WithInputs(IReadOnlyList<ScenarioSource> layers, IReadOnlyList<SensitivityInput> inputs, DesignPoint point, Func<int, int> layerOf)
    {
        var result = new List<ScenarioSource>(layers.Count + inputs.Count);
        for (var l = 0; l < layers.Count; l++)
        {
            result.Add(layers[l]);
            for (var j = 0; j < inputs.Count; j++)
            {
                if (layerOf(inputs[j].Layer) == l)
                {
                    result.Add(new ScenarioOverride(SensitivityPlan.LayerOption, inputs[j].Path, point.Values[j]).ToLayer());
                }
            }
        }

        return result;
    }

    /// <summary>Every scalar under a path of mapping keys in one layer, in file order (list items are not reachable by a path).</summary>
    private static List<(string Path, YamlScalar Node)> Leaves(ScenarioSource layer)
    {
        var result = new List<(string, YamlScalar)>();
        var root = YamlTreeReader.Read(layer, []);
        void Walk(YamlTreeNode node, string path)
        {
            if (node is YamlMapping map)
            {
                foreach (var (key, value) in map.Entries)
                {
                    if (path.Length == 0 && key.Value == "extends")
                    {
                        continue;
                    }

                    Walk(value, path.Length == 0 ? key.Value : path + "." + key.Value);
                }
            }
            else if (node is YamlScalar { IsNull: false } scalar && path.Length > 0)
            {
                result.Add((path, scalar));
            }
        }

        if (root is not null)
        {
            Walk(root, string.Empty);
        }

        return result;
    }

    /// <summary>
    /// Every number tagged `assumption:` (the nearest tag that covers it) in the scenario's files, each at the lowest file
    /// that writes its path: a file above that writes the same path keeps its own value there.
    /// </summary>
    private static List<SensitivityInput> DefaultInputs(SensitivityRequest request, IReadOnlyList<ScenarioSource> layers, List<List<(string Path, YamlScalar Node)>> leaves, Dictionary<SourceLocation, NumberRange> ranges, List<string> notes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var inputs = new List<SensitivityInput>();
        for (var l = 0; l < layers.Count; l++)
        {
            var assumptions = ScenarioNumbers.Read(layers[l].Text).Where(n => n.Assumption).Select(n => (n.Line, n.Column)).ToHashSet();
            foreach (var (path, node) in leaves[l])
            {
                if (!seen.Add(path) || !assumptions.Contains((node.Location.Line, node.Location.Column))
                    || NotRunSections.Contains(path.Split('.')[0]) || path == StepPath
                    || !node.IsPlain || !TryNumber(node.Value, out var value)
                    || !ranges.TryGetValue(node.Location, out var valid))
                {
                    continue;
                }

                var (input, problem) = Around(path, System.IO.Path.GetFileName(layers[l].Name), l, value, valid, request.Range);
                if (input is null)
                {
                    notes.Add($"{path}: not varied: {problem}");
                    continue;
                }

                inputs.Add(input);
            }
        }

        return inputs;
    }

    /// <summary>The inputs `--input PATH[=LO..HI]` names, each at the lowest file of the scenario that writes it.</summary>
    private static List<SensitivityInput> ListedInputs(SensitivityRequest request, IReadOnlyList<ScenarioSource> layers, List<List<(string Path, YamlScalar Node)>> leaves, Dictionary<SourceLocation, NumberRange> ranges, List<string> errors)
    {
        var inputs = new List<SensitivityInput>();
        foreach (var argument in request.Inputs)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var path = (equals < 0 ? argument : argument[..equals]).Trim();
            var rangeText = equals < 0 ? null : argument[(equals + 1)..].Trim();
            var where = $"--input {argument}";
            if (inputs.Any(i => i.Path == path))
            {
                errors.Add($"{where}: '{path}' is named twice: expected each input once");
                continue;
            }

            var found = Enumerable.Range(0, layers.Count).SelectMany(l => leaves[l].Where(x => x.Path == path).Select(x => (Layer: l, x.Node))).FirstOrDefault();
            if (found.Node is null)
            {
                errors.Add($"{where}: unknown path: {request.Scenario} writes no value at '{path}': expected the path of a number, as --set takes it, e.g. gates.nam-giang.vn.lanes");
                continue;
            }

            var at = found.Node.Location;
            if (!found.Node.IsPlain || !TryNumber(found.Node.Value, out var value))
            {
                errors.Add($"{where}: {at}: '{found.Node.Value}' is not a number: only scalar numbers are inputs (not dates, hours, lists or names)");
                continue;
            }

            if (NotRunSections.Contains(path.Split('.')[0]) || path == StepPath || !ranges.TryGetValue(at, out var valid))
            {
                errors.Add($"{where}: {at}: no run reads this value{(path == StepPath ? " as an assumption (the step is the simulation's resolution)" : string.Empty)}: expected a number of settings, commodities, gates, roads, carriers or flows");
                continue;
            }

            if (rangeText is null)
            {
                var (input, problem) = Around(path, System.IO.Path.GetFileName(layers[found.Layer].Name), found.Layer, value, valid, request.Range);
                if (input is null)
                {
                    errors.Add($"{where}: {at}: {problem}");
                }
                else
                {
                    inputs.Add(input);
                }

                continue;
            }

            var dots = rangeText.IndexOf("..", StringComparison.Ordinal);
            if (dots < 0 || !TryNumber(rangeText[..dots], out var low) || !TryNumber(rangeText[(dots + 2)..], out var high))
            {
                errors.Add($"{where}: '{rangeText}' is not a range: expected PATH=LO..HI with numbers, e.g. --input gates.nam-giang.vn.lanes=1..4");
                continue;
            }

            if (!(low < high))
            {
                errors.Add($"{where}: bad range {rangeText}: expected LO below HI");
            }
            else if (low < valid.Min || high > valid.Max)
            {
                errors.Add($"{where}: bad range {rangeText}: the scenario accepts {path.Split('.')[^1]} from {SensitivityInput.Format(valid.Min)} to {SensitivityInput.Format(valid.Max)}");
            }
            else if (valid.Whole && (low != Math.Floor(low) || high != Math.Floor(high)))
            {
                errors.Add($"{where}: bad range {rangeText}: {path.Split('.')[^1]} is a whole number: expected whole LO and HI");
            }
            else
            {
                inputs.Add(new SensitivityInput(path, System.IO.Path.GetFileName(layers[found.Layer].Name), found.Layer, value, low, high, valid.Whole, null));
            }
        }

        return inputs;
    }

    /// <summary>
    /// The default range: the value ± <paramref name="fraction"/> of it; a whole number at least ± 1 and rounded; then
    /// clipped to what the scenario accepts (said in the note). No input when nothing is left to vary (a value of 0).
    /// </summary>
    private static (SensitivityInput? Input, string? Problem) Around(string path, string file, int layer, double value, NumberRange valid, double fraction)
    {
        var low = Math.Min(value * (1 - fraction), value * (1 + fraction));
        var high = Math.Max(value * (1 - fraction), value * (1 + fraction));
        if (valid.Whole)
        {
            low = Math.Min(Math.Round(low, MidpointRounding.AwayFromZero), value - 1);
            high = Math.Max(Math.Round(high, MidpointRounding.AwayFromZero), value + 1);
        }

        string? note = null;
        if (low < valid.Min || high > valid.Max)
        {
            var wanted = $"{SensitivityInput.Format(low)}..{SensitivityInput.Format(high)}";
            low = Math.Max(low, valid.Min);
            high = Math.Min(high, valid.Max);
            note = $"range {wanted} clipped to {SensitivityInput.Format(low)}..{SensitivityInput.Format(high)}, the values the scenario accepts ({SensitivityInput.Format(valid.Min)} to {SensitivityInput.Format(valid.Max)})";
        }

        if (!(high > low))
        {
            return (null, $"its value {SensitivityInput.Format(value)} gives no range (± {SensitivityInput.Format(fraction * 100)}% of it is nothing): give one with --input {path}=LO..HI");
        }

        return (new SensitivityInput(path, file, layer, value, low, high, valid.Whole, note), null);
    }

    /// <summary>Each KPI must be in the catalogue and name an entity of the scenario or the compared one.</summary>
    private static void CheckKpis(IReadOnlyList<string> kpis, ScenarioDefinition scenario, ScenarioDefinition? versus, List<string> errors)
    {
        foreach (var kpi in kpis)
        {
            if (KpiCatalogue.Find(kpi) is not var (measure, entity))
            {
                errors.Add($"--kpi {kpi}: unknown KPI: expected group.entity.measure from the catalogue, e.g. gate.nam-giang.hours_to_cross_mean (`tradesim kpis` lists them)");
                continue;
            }

            var known = Entities(measure.Group, scenario).Concat(versus is null ? [] : Entities(measure.Group, versus)).ToHashSet(StringComparer.Ordinal);
            if (!known.Contains(entity))
            {
                var kind = KpiCatalogue.Prefix(measure.Group);
                errors.Add($"--kpi {kpi}: unknown {kind} '{entity}' in {scenario.Name}{(versus is null ? string.Empty : " and " + versus.Name)}: expected one of {string.Join(", ", known.Order(StringComparer.Ordinal))}");
            }
        }
    }

    private static IEnumerable<string> Entities(KpiGroup group, ScenarioDefinition d) => group switch
    {
        KpiGroup.Gate => d.Gates.Select(g => g.Id),
        KpiGroup.Post => d.Gates.SelectMany(g => g.Posts.Select(p => g.Id + "." + p.Country)),
        KpiGroup.Corridor => d.Gates.Select(g => g.Corridor),
        KpiGroup.Total => [string.Empty],
        KpiGroup.Flow => d.Flows.Select(f => f.Id),
        KpiGroup.Route => d.Flows.SelectMany(f => d.Gates.Select(g => f.Id + "." + g.Id).Append(f.Id + "." + KpiCatalogue.DirectRoute)),
        KpiGroup.Fleet => d.Carriers.Select(c => c.Id),
        _ => [],
    };

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
