using System.Net;
using System.Net.NetworkInformation;
using Cni.Hcn;
using Cni.Hcn.Versioning;
using Cni.Node.Configuration;
using Cni.Node.Ipam;
using Cni.Node.Kubernetes.Events;
using Cni.Node.Kubernetes.Nodes;
using Cni.Node.Networks;
using Cni.Node.Services;

namespace Cni.Daemon.Hosting;

/// <summary>Registers the service proxy: its caches, engine, controller and health-check node ports.</summary>
internal static class ServiceProxyWiring
{
    /// <summary>
    /// Resolves <see cref="ServiceProxyOptions.Dsr"/> against HNS's features, as kube-proxy's winkernel does at start
    /// (kubernetes pkg/proxy/winkernel/proxier.go: DSR needs the HNS DSR feature).
    /// </summary>
    /// <exception cref="DaemonStartupException"><c>dsr: on</c> where HNS lacks DSR.</exception>
    public static bool ResolveDsr(ServiceProxyOptions proxy, bool proxyEnabled, HcnFeatures features) => proxy.Dsr switch
    {
        DsrMode.Off => false,
        DsrMode.On when !features.Dsr => throw new DaemonStartupException(
            $"serviceProxy.dsr: on, but this HNS is {features.VersionText} and DSR needs HNS {HcnFeatures.RequiredVersion(HcnFeature.Dsr)}; use auto or off"),
        DsrMode.On => true,
        _ => proxyEnabled && features.Dsr,
    };

    /// <summary>Adds the service proxy to <paramref name="services"/>.</summary>
    public static void Add(
        IServiceCollection services,
        NodeOptions options,
        ClusterConnection agent,
        NodeAddressing node,
        IIpamStore ipam,
        IHcn dataplane,
        HcnFeatures features,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        var caches = agent.StartServiceProxyCaches(loggers, time);
        var kernel = OperatingSystem.IsLinux() && dataplane is Cni.Hcn.Kernel.KernelHcn;
        var nodeIp = node.NodeIp ?? options.NodeIp;
        // Overlay: the source VIP's endpoint and each ClusterIP's VIP endpoint carry it, as winkernel's do.
        var hostMac = options.Mode == NetworkMode.Overlay ? HostMacOf(nodeIp) : null;
        var sourceVips = options.Mode == NetworkMode.Overlay
            ? ipam.Pools.Select(p => p.ServiceSourceVip).OfType<IPAddress>().ToList()
            : [];
        var facts = new ProxyNodeFacts(
            agent.NodeName,
            Zone: null,
            options.Mode,
            NodeAddresses(node, nodeIp),
            sourceVips,
            options.ClusterCidrs,
            options.Dsr)
        {
            // winkernel checks SessionAffinity (HNS 12.0) the same way (pkg/proxy/winkernel/proxier.go).
            SessionAffinity = features.SessionAffinity,
            HnsVersion = features.VersionText,
        };

        services.AddSingleton<ServiceHealthChecks>();
        services.AddSingleton<ServiceProxyMetrics>();
        services.AddSingleton(provider => new LoadBalancerReconciler(
            provider.GetRequiredService<IHcn>(),
            new LoadBalancerReconcilerOptions
            {
                // KernelHcn commits concurrent writes together, so it gets more in flight than HNS by default.
                MaxParallelWrites = options.ServiceProxy.ParallelWritesFor(batchingDataplane: kernel),

                // HNS (and the memory dataplane, which emulates it) refuses a load balancer without backends; KernelHcn takes one and rejects its traffic.
                AcceptsLoadBalancersWithoutBackends = kernel,
                HostMac = hostMac,
            },
            time,
            provider.GetRequiredService<ILogger<LoadBalancerReconciler>>()));
        services.AddSingleton(provider => new ServiceProxyController(
            caches.Services,
            caches.EndpointSlices,
            agent.Nodes,
            facts,
            () => provider.GetRequiredService<PodNetwork>().NetworkId,
            provider.GetRequiredService<LoadBalancerReconciler>(),
            agent.Annotations,
            options.ServiceProxy,
            time,
            provider.GetRequiredService<ILogger<ServiceProxyController>>(),
            provider.GetRequiredService<ServiceProxyMetrics>(),
            provider.GetRequiredService<ServiceHealthChecks>(),
            sourceVips.FirstOrDefault() is { } vip
                ? new SourceVipEndpoint(provider.GetRequiredService<IHcn>(), vip, nodeIp, hostMac, provider.GetRequiredService<ILogger<SourceVipEndpoint>>())
                : null,
            new ServiceProxyFailureEvents(provider.GetRequiredService<KubernetesEventRecorder>())));
        services.AddHostedService(provider => provider.GetRequiredService<ServiceProxyController>());
        services.AddSingleton<HealthCheckNodePortServer>();
        services.AddHostedService(provider => provider.GetRequiredService<HealthCheckNodePortServer>());
    }

    /// <summary>
    /// The node's addresses the service proxy serves families by: the node IP and, on a dual-stack node, its InternalIP
    /// of the other family (without one, IPv6 ServicePorts would get no load balancer: FamilyNotServed).
    /// </summary>
    internal static IReadOnlyList<IPAddress> NodeAddresses(NodeAddressing node, IPAddress? nodeIp)
    {
        ArgumentNullException.ThrowIfNull(node);
        return [.. (nodeIp is null ? node.OtherFamilyIps : [nodeIp, .. node.OtherFamilyIps]).DistinctBy(a => a.AddressFamily)];
    }

    /// <summary>The MAC of the interface holding <paramref name="nodeIp"/> in HNS's form (AA-BB-…), or null; kube-proxy looks it up the same way.</summary>
    private static string? HostMacOf(IPAddress? nodeIp)
    {
        if (nodeIp is null)
        {
            return null;
        }

        foreach (var adapter in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (adapter.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(nodeIp)))
            {
                var bytes = adapter.GetPhysicalAddress().GetAddressBytes();
                return bytes.Length == 6 ? string.Join('-', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))) : null;
            }
        }

        return null;
    }
}
