using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using TradeSim.Kernel.Scenarios;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Silo.Tests;

public class TelemetryTests
{
    private static readonly string BaselinePath = Path.Combine(AppContext.BaseDirectory, "scenarios", "baseline.yaml");

    [Fact]
    public void Run_RecordsOncePerRunMetricsAndASpan()
    {
        // Counters are process-global and other tests run simulations in parallel: a scenario name of its own keeps
        // this test's measurements apart.
        var scenario = $"telemetry-{Guid.NewGuid():N}";
        ScenarioSource[] layers =
        [
            new("baseline.yaml", File.ReadAllText(BaselinePath)),
            new("short.yaml", $"name: {scenario}\nsettings:\n  days: 5\n  warmup_days: 1\n"),
        ];
        var measurements = new ConcurrentQueue<(string Instrument, double Value)>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TradeSim")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        meterListener.Start();
        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "TradeSim",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == "run" && Equals(a.GetTagItem(TradeSimTelemetry.ScenarioTag), scenario))
                {
                    activities.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        var silo = new EmbeddedSilo();
        var result = silo.Run(layers, seed: 7, replication: 3, CancellationToken.None);

        Assert.NotNull(result);
        var network = silo.Compile(layers);
        Assert.Equal(scenario, network.Definition.Name);
        var settings = network.Definition.Settings;
        var steps = (settings.Days + settings.WarmupDays) * 24 * 60 / settings.StepMinutes;
        Assert.Equal(6 * 24 * 60 / settings.StepMinutes, steps);
        Assert.True(network.TruckCount > 0);

        var got = measurements.ToList();
        double Sum(string name) => got.Where(m => m.Instrument == name).Sum(m => m.Value);
        Assert.Equal(1, Sum("tradesim.runs.started"));
        Assert.Equal(1, Sum("tradesim.runs.completed"));
        Assert.Equal(0, Sum("tradesim.runs.failed"));
        Assert.Equal(steps, Sum("tradesim.steps"));
        Assert.Equal((double)steps * network.TruckCount, Sum("tradesim.truck_steps"));
        var durations = got.Where(m => m.Instrument == "tradesim.run.duration").ToList();
        Assert.Single(durations);
        Assert.True(durations[0].Value > 0);

        var run = Assert.Single(activities);
        Assert.Equal(3, run.GetTagItem("replication"));
        Assert.Equal("7", run.GetTagItem("seed"));

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TradeSimTelemetry.ScenarioTag && Equals(tag.Value, scenario))
                {
                    measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }
    }
}
