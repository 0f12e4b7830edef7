using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cni.Daemon.Status;

/// <summary>The human view of a <see cref="StatusDocument"/>: short sections, one line per object.</summary>
public static class StatusText
{
    public static string Render(StatusDocument status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"wincnid {status.Version}");
        text.AppendLine(culture, $"ready:    {(status.Ready ? "yes" : "NO: " + status.NotReadyReason)}");
        text.AppendLine(culture, $"network:  {status.NetworkName}  desired {Describe(status.DesiredNetwork)}  actual {Describe(status.ActualNetwork)}");
        foreach (var difference in status.Differences)
        {
            text.AppendLine(culture, $"  differs: {difference}");
        }

        text.AppendLine(culture, $"pools ({status.Pools.Count}):");
        foreach (var pool in status.Pools)
        {
            text.AppendLine(culture, $"  {pool.Cidr,-24} leased {pool.Leased}  quarantined {pool.Quarantined}  free {pool.Free}  reserved {pool.Reserved}");
        }

        text.AppendLine(culture, $"endpoints ({status.Endpoints.Count}):");
        foreach (var endpoint in status.Endpoints)
        {
            text.AppendLine(culture, $"  {endpoint.Id}  {endpoint.Name,-40} {string.Join(",", endpoint.IpAddresses),-18} {(endpoint.Owned ? "" : "foreign ")}{(endpoint.HasLease || !endpoint.Owned ? "" : "NO LEASE ")}{endpoint.Interface}");
        }

        text.AppendLine(culture, $"leases ({status.Leases.Count}):");
        foreach (var lease in status.Leases)
        {
            var pod = lease.PodName is null ? "" : $"{lease.PodNamespace}/{lease.PodName}";
            text.AppendLine(culture, $"  {Short(lease.ContainerId)}/{lease.IfName,-6} {string.Join(",", lease.Addresses),-18} {pod} {(lease.HasEndpoint ? "" : "NO ENDPOINT")}");
        }

        foreach (var stale in status.StaleLeases)
        {
            text.AppendLine(culture, $"  stale lease: {stale}");
        }

        if (status.Kubernetes is { } kube)
        {
            text.AppendLine(culture, $"kubernetes: Node {kube.NodeName} on {kube.ApiServer}  nodes {kube.Nodes}{(kube.NodesSynced ? "" : " (first list pending)")}  last contact {kube.LastContact?.ToString("O", culture) ?? "never"}");
            if (kube.NodeNotReadyReason is not null)
            {
                text.AppendLine(culture, $"  waiting: {kube.NodeNotReadyReason}");
            }

            if (kube.ApiError is not null)
            {
                text.AppendLine(culture, $"  API server: the last request failed: {kube.ApiError}");
            }

            text.AppendLine(culture, $"  annotations: {kube.Annotations}");
            if (kube.Peers is { } peers)
            {
                text.AppendLine(culture, $"peer routes ({peers.Routes.Count}){(peers.NotReadyReason is null ? "" : ": NOT PROGRAMMED: " + peers.NotReadyReason)}:");
                foreach (var route in peers.Routes)
                {
                    text.AppendLine(culture, $"  {route}");
                }

                foreach (var skipped in peers.Skipped)
                {
                    text.AppendLine(culture, $"  skipped {skipped}");
                }
            }
        }

        if (status.ServiceProxy is { } proxy)
        {
            AppendServiceProxy(text, proxy);
        }

        if (status.Error is not null)
        {
            text.AppendLine(culture, $"error reading HCN: {status.Error}");
        }

        return text.ToString();
    }

    private static void AppendServiceProxy(StringBuilder text, ServicesStatus proxy)
    {
        var culture = CultureInfo.InvariantCulture;
        var count = proxy.Services?.Count ?? 0;
        text.AppendLine(culture, $"service proxy: {count} Services, {proxy.Passes} passes{(proxy.Synced ? "" : " (caches not synced yet)")}, DSR {(proxy.Dsr ? "on" : "off")}");
        if (proxy.Error is not null)
        {
            text.AppendLine(culture, $"  error reading HCN load balancers: {proxy.Error}");
        }

        foreach (var service in proxy.Services ?? [])
        {
            if (service.Skipped is not null)
            {
                text.AppendLine(culture, $"  {service.Service}: no load balancer ({service.Skipped})");
                continue;
            }

            text.AppendLine(culture, $"  {service.Service}:");
            foreach (var lb in service.LoadBalancers)
            {
                var actual = lb.InHcn ? $"in HCN with {lb.HcnBackends} backends" : "NOT IN HCN";
                text.AppendLine(culture, $"    {lb.Key}  {lb.Verdict}  desired {lb.DesiredBackends} backends, {actual}  [{lb.Outcome}]{(lb.Reason is null ? "" : " " + lb.Reason)}");
            }

            foreach (var condition in service.Conditions)
            {
                text.AppendLine(culture, $"    note: {condition}");
            }
        }

        foreach (var port in proxy.HealthCheckPorts)
        {
            text.AppendLine(culture, $"  health-check node port {port}");
        }

        foreach (var failure in proxy.Failures)
        {
            text.AppendLine(culture, $"  failing: {failure}");
        }

        foreach (var orphan in proxy.Orphans)
        {
            text.AppendLine(culture, $"  orphan load balancer {orphan} (deleted at the next pass)");
        }
    }

    private static string Short(string containerId) => containerId.Length > 12 ? containerId[..12] : containerId;

    private static string Describe(JsonElement? network)
    {
        if (network is not { } element)
        {
            return "(none)";
        }

        var id = element.TryGetProperty("ID", out var i) ? i.GetString() : null;
        var type = element.TryGetProperty("Type", out var t) ? t.GetString() : null;
        return id is null ? $"[{type}]" : $"{id} [{type}]";
    }
}
