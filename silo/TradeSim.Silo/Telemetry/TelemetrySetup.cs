using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TradeSim.Grains.Telemetry;

namespace TradeSim.Silo.Telemetry;

/// <summary>
/// Exports TradeSim's metrics (meter "TradeSim") and Orleans' own (meter "Microsoft.Orleans"), and TradeSim's spans,
/// through the OpenTelemetry SDK: over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the
/// standard OTEL_EXPORTER_OTLP_* variables), and with the OpenTelemetry console exporter on request (`--metrics`).
/// With neither, no SDK is started and nothing costs anything.
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meter Orleans publishes its runtime metrics under.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <returns>The providers to dispose at exit (which flushes them), or null when nothing is exported.</returns>
    /// <param name="serviceName">The service name exported with every measurement (`tradesim`, `tradesim-silo`).</param>
    /// <param name="consoleInterval">When set, metrics also go to the console exporter at this interval (and at dispose).</param>
    public static IDisposable? Start(string serviceName, TimeSpan? consoleInterval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable));
        if (!otlp && consoleInterval is null)
        {
            return null;
        }

        var version = typeof(TelemetrySetup).Assembly.GetName().Version?.ToString();
        var meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddMeter(TradeSimTelemetry.Name, OrleansMeter);
        if (consoleInterval is { } interval)
        {
            meters.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)interval.TotalMilliseconds);
        }

        TracerProvider? traces = null;
        if (otlp)
        {
            meters.AddOtlpExporter();
            traces = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
                .AddSource(TradeSimTelemetry.Name)
                .AddOtlpExporter()
                .Build();
        }

        return new Providers(meters.Build(), traces);
    }

    private sealed class Providers(MeterProvider meters, TracerProvider? traces) : IDisposable
    {
        public void Dispose()
        {
            traces?.Dispose();
            meters.Dispose();
        }
    }
}
