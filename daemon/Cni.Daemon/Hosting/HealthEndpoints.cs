using Cni.Daemon.Metrics;
using Cni.Node.Ipam;
using Cni.Node.Networks;

namespace Cni.Daemon.Hosting;

/// <summary>
/// /healthz (the process serves and can keep its promises: 503 while the IPAM journal is out of service, which it
/// recovers from by itself when the disk does, so a liveness probe that gives up restarts it), /readyz (the network
/// exists and IPAM is loaded) and /metrics (Prometheus text).
/// </summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.MapGet("/healthz", (IIpamStore ipam) => ipam.JournalProblem is { } problem
            ? Results.Text($"unhealthy: {problem}\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok\n"));

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
