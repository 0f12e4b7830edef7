using Cni.Daemon.Metrics;
using Cni.Node.Networks;

namespace Cni.Daemon.Hosting;

/// <summary>/healthz (the process serves), /readyz (the network exists and IPAM is loaded) and /metrics (Prometheus text).</summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapGet("/readyz", (PodNetwork network) => network.IsReady
            ? Results.Text("ready\n")
            : Results.Text($"not ready: {network.NotReadyReason}\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/metrics", async (HttpContext context, PrometheusMeterExporter exporter) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await exporter.ExportAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }
}
