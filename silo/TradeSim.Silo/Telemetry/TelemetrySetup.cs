using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TradeSim.Silo.Telemetry;

/// <summary>
/// Exports TradeSim's metrics and spans through the OpenTelemetry SDK over OTLP, only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; otherwise no SDK is started and nothing costs anything.
/// The exporter reads the standard OTEL_EXPORTER_OTLP_* variables (endpoint, protocol, headers).
/// </summary>
public static class TelemetrySetup
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <returns>The providers to dispose at exit (which flushes them), or null when no endpoint is configured.</returns>
    public static IDisposable? Start(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EndpointVariable)))
        {
            return null;
        }

        var version = typeof(TelemetrySetup).Assembly.GetName().Version?.ToString();
        var meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddMeter(TradeSimTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        var traces = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: version))
            .AddSource(TradeSimTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        return new Providers(meters, traces);
    }

    private sealed class Providers(MeterProvider meters, TracerProvider traces) : IDisposable
    {
        public void Dispose()
        {
            traces.Dispose();
            meters.Dispose();
        }
    }
}
