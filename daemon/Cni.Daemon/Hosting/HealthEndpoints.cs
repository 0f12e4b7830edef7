using Cni.Daemon.Metrics;
using Cni.Hcn.Kernel;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Prometheus;

namespace Cni.Daemon.Hosting;

/// <summary>/healthz (the process serves), /readyz (the network exists and IPAM is loaded) and /metrics (Prometheus text).</summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app, DaemonMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(metrics);

        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapGet("/readyz", (NodeNetwork network) => network.IsReady
            ? Results.Text("ready\n")
            : Results.Text($"not ready: {network.NotReadyReason}\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/metrics", async (HttpContext context, NodeNetwork network, IIpamStore ipam) =>
        {
            // Gauges that mirror state are read at scrape time, so they are never stale.
            metrics.Ready.Set(network.IsReady ? 1 : 0);
            foreach (var pool in ipam.GetUsage())
            {
                var name = pool.Cidr.ToString();
                metrics.IpamAddresses.WithLabels(name, "assignable").Set((double)pool.Assignable);
                metrics.IpamAddresses.WithLabels(name, "leased").Set(pool.Leased);
                metrics.IpamAddresses.WithLabels(name, "quarantined").Set(pool.Quarantined);
                metrics.IpamAddresses.WithLabels(name, "reserved").Set(pool.Reserved);
            }

            if (OperatingSystem.IsLinux() && context.RequestServices.GetService<KernelHcn>() is { } kernel)
            {
                metrics.RetiredLinks.Set(kernel.RetiredLinksPending);
                metrics.LinkReapBatches.IncTo(kernel.LinkReapBatches);
            }

            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }
}
