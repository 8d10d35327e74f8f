using System.Globalization;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Client.Calibration;

/// <summary>
/// The command line's changes to what a calibration fits: more parameters (`--parameter PATH=MIN..MAX`, replacing the
/// file's bounds for a path it already fits), held-out targets fitted (`--fit-target ID`), fitted ones held out
/// (`--hold-out ID`). Unknown ids and malformed values are problems, each naming the option and what was expected.
/// </summary>
internal static class CalibrationChoices
{
    public static CalibrationDefinition Apply(CalibrationDefinition calibration, IReadOnlyList<string> parameters, IReadOnlyList<string> fit, IReadOnlyList<string> holdOut, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(holdOut);
        ArgumentNullException.ThrowIfNull(problems);
        var ids = calibration.Targets.Select(t => t.Id).ToList();
        foreach (var id in fit.Concat(holdOut).Where(id => !ids.Contains(id)))
        {
            problems.Add($"{(fit.Contains(id) ? "--fit-target" : "--hold-out")} {id}: no such calibration target: expected one of {string.Join(", ", ids)}");
        }

        foreach (var id in fit.Intersect(holdOut))
        {
            problems.Add($"--fit-target {id} and --hold-out {id}: a target is either fitted or held out");
        }

        var targets = calibration.Targets
            .Select(t => fit.Contains(t.Id) ? t with { HeldOut = false } : holdOut.Contains(t.Id) ? t with { HeldOut = true } : t)
            .ToList();

        var all = calibration.Parameters.ToList();
        foreach (var argument in parameters)
        {
            if (Parse(argument, problems) is not { } added)
            {
                continue;
            }

            var at = all.FindIndex(p => p.Path == added.Path);
            if (at >= 0)
            {
                all[at] = added;
            }
            else
            {
                all.Add(added);
            }
        }

        return calibration with { Targets = targets, Parameters = all };
    }

    private static CalibrationParameterDefinition? Parse(string argument, List<string> problems)
    {
        const string Expected = "expected PATH=MIN..MAX with numbers MIN < MAX, e.g. --parameter gates.nam-giang.travellers.persons_per_vehicle=1..30";
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        var dots = equals < 0 ? -1 : argument.IndexOf("..", equals, StringComparison.Ordinal);
        if (equals <= 0 || dots < 0)
        {
            problems.Add($"--parameter {argument}: {Expected}");
            return null;
        }

        var path = argument[..equals];
        if (!double.TryParse(argument[(equals + 1)..dots], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
            || !double.TryParse(argument[(dots + 2)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
            || !double.IsFinite(min) || !double.IsFinite(max) || !(min < max))
        {
            problems.Add($"--parameter {argument}: '{argument[(equals + 1)..]}' is not a range: {Expected}");
            return null;
        }

        return new CalibrationParameterDefinition(path, min, max, new SourceLocation("--parameter", 0, 0));
    }
}
