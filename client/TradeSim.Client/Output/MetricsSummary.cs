using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using TradeSim.Silo.Telemetry;

namespace TradeSim.Client.Output;

/// <summary>
/// `tradesim batch --metrics`: listens to the "TradeSim" meter while a batch runs and writes a concise summary line
/// every <c>interval</c>, plus a final one. Only the runs of this batch count: measurements are taken on the threads
/// the batch started (the scope flows with the execution context), so other work in the process does not leak in.
/// Wall-clock figures: stderr only, never in results.
/// </summary>
internal sealed class MetricsSummary : IDisposable
{
    private static readonly AsyncLocal<MetricsSummary?> Scope = new();

    private readonly MeterListener _listener = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Action<string> _periodic;
    private readonly Timer _timer;
    private long _completed;
    private long _failed;
    private long _steps;
    private long _truckSteps;
    private long _durationCount;
    private double _durationSum;
    private readonly Lock _durationGate = new();

    /// <param name="periodic">Where the periodic lines go (called on a timer thread).</param>
    /// <param name="interval">Time between periodic lines.</param>
    public MetricsSummary(Action<string> periodic, TimeSpan interval)
    {
        _periodic = periodic;
        Scope.Value = this;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TradeSimTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
        _timer = new Timer(_ => _periodic(Line()), null, interval, interval);
    }

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>The summary so far, e.g. `metrics: 120 runs completed (0 failed), 24.1 runs/s, mean run 41 ms, 2.1 M steps/s, 61 M truck-steps/s`.</summary>
    public string Line()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        double mean;
        lock (_durationGate)
        {
            mean = _durationCount == 0 ? 0 : _durationSum / _durationCount;
        }

        var completed = Completed;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"metrics: {completed} runs completed ({Interlocked.Read(ref _failed)} failed), {completed / seconds:F1} runs/s, mean run {mean:F0} ms, {Rate(Interlocked.Read(ref _steps) / seconds)} steps/s, {Rate(Interlocked.Read(ref _truckSteps) / seconds)} truck-steps/s");
    }

    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            if (_timer.Dispose(stopped))
            {
                stopped.WaitOne();
            }
        }

        _listener.Dispose();
        if (Scope.Value == this)
        {
            Scope.Value = null;
        }
    }

    private static string Rate(double perSecond) => perSecond switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e9:F1} G"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:F1} M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:F1} k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:F0}"),
    };

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!ReferenceEquals(Scope.Value, this))
        {
            return;
        }

        switch (instrument.Name)
        {
            case "tradesim.runs.completed":
                Interlocked.Add(ref _completed, value);
                break;
            case "tradesim.runs.failed":
                Interlocked.Add(ref _failed, value);
                break;
            case "tradesim.steps":
                Interlocked.Add(ref _steps, value);
                break;
            case "tradesim.truck_steps":
                Interlocked.Add(ref _truckSteps, value);
                break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "tradesim.run.duration" && ReferenceEquals(Scope.Value, this))
        {
            lock (_durationGate)
            {
                _durationSum += value;
                _durationCount++;
            }
        }
    }
}
