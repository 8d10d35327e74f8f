using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using TradeSim.Grains.Runs;
using TradeSim.Grains.Telemetry;
using TradeSim.Grains.Tests.Support;
using TradeSim.Kernel.Scenarios;

namespace TradeSim.Grains.Tests;

/// <summary>What a run records on the meter and activity source "TradeSim": once per run, never per step.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public void Run_ShortScenario_RecordsOncePerRunMetricsAndASpan()
    {
        // Counters are process-global and other tests run simulations in parallel: a scenario name of its own keeps
        // this test's measurements apart.
        var scenario = $"telemetry-{Guid.NewGuid():N}";
        ScenarioSource[] layers =
        [
            TestScenarios.Bundled("baseline.yaml"),
            new("short.yaml", $"name: {scenario}\n{TestScenarios.ShortLayerText}"),
        ];
        using var recorder = new TelemetryRecorder(scenario);
        var runner = new ReplicationRunner();

        var result = runner.Run(layers, seed: 7, replication: 3, CancellationToken.None);

        Assert.NotNull(result);
        var network = runner.Compile(layers);
        Assert.Equal(scenario, network.Definition.Name);
        var settings = network.Definition.Settings;
        var steps = (settings.Days + settings.WarmupDays) * 24 * 60 / settings.StepMinutes;
        Assert.Equal(6 * 24 * 60 / settings.StepMinutes, steps);
        Assert.True(network.TruckCount > 0);

        Assert.Equal(1, recorder.Sum("tradesim.runs.started"));
        Assert.Equal(1, recorder.Sum("tradesim.runs.completed"));
        Assert.Equal(0, recorder.Sum("tradesim.runs.failed"));
        Assert.Equal(steps, recorder.Sum("tradesim.steps"));
        Assert.Equal((double)steps * network.TruckCount, recorder.Sum("tradesim.truck_steps"));
        var duration = Assert.Single(recorder.Values("tradesim.run.duration"));
        Assert.True(duration > 0, $"duration {duration} ms");

        var run = Assert.Single(recorder.Runs);
        Assert.Equal(3, run.GetTagItem("replication"));
        Assert.Equal("7", run.GetTagItem("seed"));
        Assert.NotEqual(ActivityStatusCode.Error, run.Status);
    }

    [Fact]
    public void Run_Cancelled_IsOnlyStarted()
    {
        var scenario = $"telemetry-{Guid.NewGuid():N}";
        ScenarioSource[] layers = [TestScenarios.Bundled("baseline.yaml"), new("short.yaml", $"name: {scenario}\n{TestScenarios.ShortLayerText}")];
        using var recorder = new TelemetryRecorder(scenario);
        var network = new ReplicationRunner().Compile(layers);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Null(ReplicationRunner.Run(network, seed: 7, replication: 0, cancelled.Token));

        Assert.Equal(1, recorder.Sum("tradesim.runs.started"));
        Assert.Equal(0, recorder.Sum("tradesim.runs.completed"));
        Assert.Equal(0, recorder.Sum("tradesim.runs.failed"));
        Assert.Empty(recorder.Values("tradesim.run.duration"));
        Assert.Equal(true, Assert.Single(recorder.Runs).GetTagItem("cancelled"));
    }

    /// <summary>Listens to the "TradeSim" meter and activity source, keeping what is tagged with one scenario.</summary>
    private sealed class TelemetryRecorder : IDisposable
    {
        private readonly string _scenario;
        private readonly ConcurrentQueue<(string Instrument, double Value)> _measurements = new();
        private readonly ConcurrentQueue<Activity> _runs = new();
        private readonly MeterListener _meterListener = new();
        private readonly ActivityListener _activityListener;

        public TelemetryRecorder(string scenario)
        {
            _scenario = scenario;
            _meterListener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TradeSimTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            _meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            _meterListener.Start();
            _activityListener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == TradeSimTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.OperationName == "run" && Equals(a.GetTagItem(TradeSimTelemetry.ScenarioTag), _scenario))
                    {
                        _runs.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activityListener);
        }

        public IReadOnlyList<Activity> Runs => [.. _runs];

        public IReadOnlyList<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();

        public double Sum(string instrument) => Values(instrument).Sum();

        public void Dispose()
        {
            _meterListener.Dispose();
            _activityListener.Dispose();
        }

        private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TradeSimTelemetry.ScenarioTag && Equals(tag.Value, _scenario))
                {
                    _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                }
            }
        }
    }
}
