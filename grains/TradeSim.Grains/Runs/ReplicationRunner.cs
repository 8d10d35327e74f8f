using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TradeSim.Kernel;
using TradeSim.Kernel.Scenarios;
using TradeSim.Grains.Telemetry;

namespace TradeSim.Grains.Runs;

/// <summary>Changes to a scenario's run settings made for one request (calibration runs a fixed period, say).</summary>
public sealed record RunSettingsOverride(DateOnly? Start = null, int? Days = null, int? WarmupDays = null, int? StepMinutes = null)
{
    public RunSettingsDefinition ApplyTo(RunSettingsDefinition settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with { Start = Start ?? settings.Start, Days = Days ?? settings.Days, WarmupDays = WarmupDays ?? settings.WarmupDays, StepMinutes = StepMinutes ?? settings.StepMinutes };
    }
}

/// <summary>
/// What a silo is asked to run: the resolved scenario text (every layer, base first), a seed and a replication.
/// A run is fully determined by it, so the same request gives the same result on any silo.
/// </summary>
public sealed record RunRequest(IReadOnlyList<ScenarioSource> Layers, ulong Seed, int Replication, RunSettingsOverride? Settings = null, int Threads = 1)
{
    /// <summary>SHA-256 of the layers' texts: the identity of the scenario a result belongs to.</summary>
    public string ScenarioHash => ScenarioText.Hash(Layers);
}

/// <summary>Hashing of resolved scenario text.</summary>
public static class ScenarioText
{
    /// <summary>
    /// SHA-256 of the layers' texts, in order, each ending in a record separator. Layer names (file paths, which
    /// depend on the working directory) are left out: they locate errors but do not change a single number, so the
    /// same files give the same hash wherever the command runs.
    /// </summary>
    public static string Hash(IReadOnlyList<ScenarioSource> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var builder = new StringBuilder();
        foreach (var layer in layers)
        {
            builder.Append(layer.Text).Append("\n\u001e\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>The layers as stored by the result stores: a JSON array of `{"Name", "Text"}`.</summary>
    public static string ToJson(IReadOnlyList<ScenarioSource> layers) =>
        JsonSerializer.Serialize(layers.Select(l => new StoredLayer(l.Name, l.Text)).ToList());

    public static IReadOnlyList<ScenarioSource> FromJson(string json) =>
        JsonSerializer.Deserialize<List<StoredLayer>>(json)!.Select(l => new ScenarioSource(l.Name, l.Text)).ToList();

    private sealed record StoredLayer(string Name, string Text);
}

/// <summary>A scenario request that cannot be run, with the located errors that say why.</summary>
public sealed class ScenarioRejectedException(IReadOnlyList<ScenarioError> errors)
    : Exception(errors.Count > 0 ? errors[0].ToString() : "scenario rejected")
{
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}

/// <summary>
/// Executes replications of the kernel: the one place a run is executed, whether a run grain on a silo asks or the
/// CLI's single `run` and `calibrate`. Scenarios are parsed and compiled once per distinct (text, settings) and shared
/// by all replications that use them; every run records its telemetry (once per run, never per step). Thread-safe.
/// </summary>
public sealed class ReplicationRunner
{
    /// <summary>
    /// Compiled scenarios kept at once. A long-lived silo meets many scenarios (sweeps make hundreds); beyond this the
    /// cache starts again, so memory stays bounded by the networks in use, not by the batches a silo has served.
    /// </summary>
    private const int MaxCachedNetworks = 64;

    private readonly ConcurrentDictionary<string, Lazy<CompiledNetwork>> _networks = new(StringComparer.Ordinal);

    /// <summary>Parses, validates and compiles a scenario; throws <see cref="ScenarioRejectedException"/> on bad input.</summary>
    public CompiledNetwork Compile(IReadOnlyList<ScenarioSource> layers, RunSettingsOverride? settings = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return Cached(ScenarioText.Hash(layers) + "|" + settings, () => CompileNow(layers, settings));
    }

    /// <summary>
    /// Compiles a stored scenario known by its hash (<see cref="ScenarioText.Hash"/> of its layers), loading its text
    /// only when it is not compiled already; throws <see cref="ScenarioRejectedException"/> on bad input.
    /// </summary>
    public CompiledNetwork CompileStored(string scenarioHash, Func<IReadOnlyList<ScenarioSource>> loadLayers)
    {
        ArgumentNullException.ThrowIfNull(scenarioHash);
        ArgumentNullException.ThrowIfNull(loadLayers);
        return Cached(scenarioHash + "|", () => CompileNow(loadLayers(), null));
    }

    private CompiledNetwork Cached(string key, Func<CompiledNetwork> compile)
    {
        if (_networks.Count >= MaxCachedNetworks && !_networks.ContainsKey(key))
        {
            _networks.Clear();
        }

        return _networks.GetOrAdd(key, _ => new Lazy<CompiledNetwork>(compile)).Value;
    }

    public static CompiledNetwork CompileNow(IReadOnlyList<ScenarioSource> layers, RunSettingsOverride? settings)
    {
        var parsed = ScenarioParser.Parse(layers);
        if (!parsed.Succeeded)
        {
            throw new ScenarioRejectedException(parsed.Errors);
        }

        var definition = parsed.Definition!;
        if (settings is not null)
        {
            definition = definition with { Settings = settings.ApplyTo(definition.Settings) };
        }

        var errors = new List<ScenarioError>();
        return CompiledNetwork.Compile(definition, errors) ?? throw new ScenarioRejectedException(errors);
    }

    /// <summary>Simulated steps between checks for cancellation.</summary>
    private const int StepsPerCancellationCheck = 24;

    /// <summary>Runs one replication to the end, or returns null when cancelled first (checked every 24 steps).</summary>
    public RunResult? Run(IReadOnlyList<ScenarioSource> layers, ulong seed, int replication, CancellationToken cancellation) =>
        Run(Compile(layers), seed, replication, cancellation);

    /// <summary>Runs one replication of a compiled scenario to the end, or returns null when cancelled first.</summary>
    public static RunResult? Run(CompiledNetwork network, ulong seed, int replication, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Instrumented(network, seed, replication, () =>
        {
            var simulation = new Simulation(network, seed, replication);
            while (!simulation.IsFinished)
            {
                if (cancellation.IsCancellationRequested)
                {
                    return (null, 0);
                }

                for (var s = 0; s < StepsPerCancellationCheck && !simulation.IsFinished; s++)
                {
                    simulation.Step();
                }
            }

            return (simulation.Collect(), simulation.StepCount);
        });
    }

    /// <summary>Runs one replication to the end.</summary>
    public RunResult Run(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var network = Compile(request.Layers, request.Settings);
        return Instrumented(network, request.Seed, request.Replication, () =>
        {
            var simulation = new Simulation(network, request.Seed, request.Replication, request.Threads);
            return (simulation.Run(), simulation.StepCount);
        })!;
    }

    /// <summary>
    /// Telemetry around one run, recorded once per run (never per step): started, then completed with its duration,
    /// steps and truck-steps, or failed; a "run" span covers it. A cancelled run is only started.
    /// </summary>
    private static RunResult? Instrumented(CompiledNetwork network, ulong seed, int replication, Func<(RunResult? Result, int Steps)> run)
    {
        var scenario = network.Definition.Name;
        using var activity = TradeSimTelemetry.StartRun(scenario, replication, seed);
        TradeSimTelemetry.RunStarted(scenario);
        var started = Stopwatch.GetTimestamp();
        (RunResult? Result, int Steps) outcome;
        try
        {
            outcome = run();
        }
        catch (Exception e)
        {
            TradeSimTelemetry.RunFailed(scenario);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }

        if (outcome.Result is null)
        {
            activity?.SetTag("cancelled", true);
            return null;
        }

        TradeSimTelemetry.RunCompleted(scenario, Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome.Steps, (long)outcome.Steps * network.TruckCount);
        return outcome.Result;
    }
}
