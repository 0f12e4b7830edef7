using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Model;
using Cni.Node.Configuration;
using k8s.Models;
using HcnProtocol = Cni.Hcn.Model.Policies.ProtocolType;

namespace Cni.Node.Services;

/// <summary>
/// Service + its EndpointSlices + this node → the load balancers this node wants, following winkernel's
/// translation table (kubernetes pkg/proxy/winkernel/proxier.go and loadbalancer.go) row by row: per ServicePort
/// and family a ClusterIP frontend, a NodePort frontend, one per external IP and one per ingress IP. Pure and
/// deterministic: the same inputs give the same output, in the same order.
/// </summary>
/// <remarks>
/// Where this deliberately differs from winkernel:
/// <list type="bullet">
/// <item><description>Terminating fallback (KEP-1669) on every frontend, never a non-serving endpoint (<see cref="EndpointSelector"/>).</description></item>
/// <item><description>Topology hints and trafficDistribution honoured (winkernel ignores them, kubernetes/kubernetes#123823).</description></item>
/// <item><description>A frontend without backends is kept, marked Reject (no endpoint anywhere) or Drop (none local under a Local policy),
/// as kube-proxy's nftables mode does; winkernel creates no LB and the VIP times out.</description></item>
/// <item><description>externalTrafficPolicy: Local keeps traffic local without DSR too, and says the client address is lost;
/// winkernel silently falls back to Cluster.</description></item>
/// <item><description>External and ingress IPs are filtered by family and ingress <c>ipMode: Proxy</c> is skipped (winkernel did neither before kubernetes/kubernetes#136241).</description></item>
/// <item><description>Named targetPorts resolve per endpoint and every refresh; a disagreement is chosen by majority and reported
/// (winkernel takes the first endpoint's port and keeps it until the Service changes).</description></item>
/// <item><description>On l2bridge the source VIP is the node IP when none is configured (an empty one breaks hairpin, kubernetes/community#8890).</description></item>
/// <item><description>On overlay the node-IP source VIP (for backends outside the VXLAN network) is decided from all endpoints, not the
/// selected ones, so a readiness flap does not change the load balancer.</description></item>
/// </list>
/// </remarks>
public static class ServiceTranslator
{
    /// <summary>Services with this label belong to another proxy (kube-proxy's informer selector).</summary>
    public const string ServiceProxyNameLabel = "service.kubernetes.io/service-proxy-name";

    /// <summary>winkernel's annotation: deliver with the VIP as destination (PreserveDIP + UseMux, DSR, local backends).</summary>
    public const string PreserveDestinationAnnotation = "preserve-destination";

    /// <summary>Translates one Service.</summary>
    /// <param name="service">The Service.</param>
    /// <param name="slices">Its EndpointSlices (label kubernetes.io/service-name), any order.</param>
    /// <param name="node">This node's facts.</param>
    /// <returns>The desired load balancers, the conditions, or why there are none.</returns>
    public static ServiceTranslation Translate(V1Service service, IReadOnlyList<V1EndpointSlice> slices, ProxyNodeFacts node)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(node);
        var name = $"{service.Metadata?.NamespaceProperty}/{service.Metadata?.Name}";
        var spec = service.Spec;
        if (service.Metadata?.Labels?.ContainsKey(ServiceProxyNameLabel) == true)
        {
            return ServiceTranslation.Skip(name, ServiceSkipReason.OtherServiceProxy);
        }

        if (spec?.Type == "ExternalName")
        {
            return ServiceTranslation.Skip(name, ServiceSkipReason.ExternalName);
        }

        if (spec?.ClusterIP == "None")
        {
            return ServiceTranslation.Skip(name, ServiceSkipReason.Headless);
        }

        if (spec is null || string.IsNullOrEmpty(spec.ClusterIP))
        {
            return ServiceTranslation.Skip(name, ServiceSkipReason.NoClusterIp);
        }

        var pass = new Pass(service, spec, slices, node);
        pass.Run();
        return new ServiceTranslation(name, null, pass.LoadBalancers, pass.Conditions, pass.HealthCheck);
    }

    /// <summary>One translation: the Service's policies read once, then every ServicePort and family.</summary>
    private sealed class Pass
    {
        private readonly V1Service _service;
        private readonly V1ServiceSpec _spec;
        private readonly IReadOnlyList<V1EndpointSlice> _slices;
        private readonly ProxyNodeFacts _node;
        private readonly bool _itpLocal;
        private readonly bool _etpLocal;
        private readonly bool _preserveDestination;
        private readonly LoadBalancerDistribution _distribution;
        private readonly HashSet<(AddressFamily, IPAddress?, int, HcnProtocol)> _frontends = [];
        private int _localReadyEndpoints;

        public Pass(V1Service service, V1ServiceSpec spec, IReadOnlyList<V1EndpointSlice> slices, ProxyNodeFacts node)
        {
            _service = service;
            _spec = spec;
            _slices = slices;
            _node = node;
            _itpLocal = spec.InternalTrafficPolicy == "Local";
            _etpLocal = spec.ExternalTrafficPolicy == "Local";

            // winkernel honours the annotation only where DSR exists (kubernetes pkg/proxy/winkernel/proxier.go).
            _preserveDestination = node.Dsr && service.Metadata?.Annotations?.TryGetValue(PreserveDestinationAnnotation, out var value) == true && value == "true";
            _distribution = spec.SessionAffinity == "ClientIP" && node.SessionAffinity ? LoadBalancerDistribution.SourceIP : LoadBalancerDistribution.None;
        }

        public List<DesiredLoadBalancer> LoadBalancers { get; } = [];

        public List<ServiceCondition> Conditions { get; } = [];

        public ServiceHealthCheck? HealthCheck { get; private set; }

        public void Run()
        {
            var families = Families();
            if (_etpLocal && !_node.Dsr)
            {
                Condition(ServiceConditionKind.ClientAddressNotPreserved, "externalTrafficPolicy: Local without DSR on this node: traffic stays on local endpoints but they see the source VIP, not the client");
            }

            if (_spec.LoadBalancerSourceRanges is { Count: > 0 })
            {
                Condition(ServiceConditionKind.SourceRangesIgnored, "loadBalancerSourceRanges is not enforced on this node");
            }

            if (_spec.SessionAffinity == "ClientIP" && !_node.SessionAffinity)
            {
                // winkernel logs this and sends the flag anyway; an HNS that does not know it may refuse the whole
                // load balancer, so here the Service is served without affinity and says why.
                Condition(ServiceConditionKind.SessionAffinityUnsupported, $"sessionAffinity: ClientIP needs HNS {Hcn.Versioning.HcnFeatures.RequiredVersion(Hcn.Versioning.HcnFeature.SessionAffinity)}; this HNS is {_node.HnsVersion}, so connections are spread without affinity");
            }

            foreach (var port in _spec.Ports ?? [])
            {
                if (ProtocolText.Parse(port.Protocol) is not { } protocol)
                {
                    Condition(ServiceConditionKind.UnsupportedProtocol, $"port {port.Name ?? ""} ({port.Port}/{port.Protocol}): HCN load balancers carry TCP and UDP only");
                    continue;
                }

                var portName = new ServicePortName(_service.Metadata?.NamespaceProperty ?? "", _service.Metadata?.Name ?? "", port.Name ?? "", protocol);
                foreach (var (family, clusterIp) in families)
                {
                    AddPort(port, portName, family, clusterIp);
                }
            }

            if (_etpLocal && _spec.Type == "LoadBalancer" && _spec.HealthCheckNodePort is > 0 and var healthPort)
            {
                HealthCheck = new ServiceHealthCheck(healthPort, _localReadyEndpoints);
            }
        }

        private List<(AddressFamily Family, IPAddress ClusterIp)> Families()
        {
            var families = new List<(AddressFamily, IPAddress)>(2);
            IEnumerable<string> clusterIps = _spec.ClusterIPs is { Count: > 0 } ips ? ips : [_spec.ClusterIP];
            foreach (var text in clusterIps)
            {
                if (!IPAddress.TryParse(text, out var ip))
                {
                    continue;
                }

                if (_node.Serves(ip.AddressFamily))
                {
                    families.Add((ip.AddressFamily, ip));
                }
                else
                {
                    Condition(ServiceConditionKind.FamilyNotServed, $"cluster IP {ip}: this node ({_node.Mode.ConfigName()}) has no {FamilyText(ip.AddressFamily)} service path");
                }
            }

            return families;
        }

        private void AddPort(V1ServicePort port, ServicePortName portName, AddressFamily family, IPAddress clusterIp)
        {
            var merged = EndpointSliceMerger.Merge(_slices, portName.Port, portName.Protocol, family, _node.NodeName);
            if (merged.Conflict is { } conflict)
            {
                Condition(ServiceConditionKind.PortConflict, $"{portName} {FamilyText(family)}: targetPort {port.TargetPort?.Value} resolves to "
                    + $"{conflict.ChosenPort} and {string.Join(", ", conflict.OtherPorts)}; {conflict.ChosenPort} is used and {conflict.DroppedEndpoints} endpoint(s) on other ports are left out");
            }

            var selection = EndpointSelector.Select(merged, _node.NodeName, _node.Zone);
            if (!selection.HasUsableEndpoints)
            {
                Condition(ServiceConditionKind.NoEndpoints, $"{portName} {FamilyText(family)}: no ready or serving-terminating endpoint; its frontends reject");
            }

            foreach (var endpoint in selection.Local)
            {
                _localReadyEndpoints += endpoint.Ready ? 1 : 0;
            }

            var frontend = new Frontend(
                portName,
                family,
                InternalPort(port, merged),
                SourceVip(family, merged),
                selection.HasUsableEndpoints,
                Backends(selection.Cluster),
                Backends(selection.Local));
            var v6 = family == AddressFamily.InterNetworkV6 ? LoadBalancerFlags.IPv6 : LoadBalancerFlags.None;
            var dsr = LoadBalancerFlags.EnableDirectServerReturn;
            var externalDsr = _etpLocal && _node.Dsr ? dsr : LoadBalancerFlags.None;
            const LoadBalancerPortMappingFlags external = LoadBalancerPortMappingFlags.VipExternalIP;

            Add(frontend, FrontendKind.ClusterIp, clusterIp, port.Port, (_node.Dsr ? dsr : LoadBalancerFlags.None) | v6, LoadBalancerPortMappingFlags.None, _itpLocal, "internalTrafficPolicy: Local");

            if (port.NodePort is > 0 and var nodePort)
            {
                Add(frontend, FrontendKind.NodePort, null, nodePort, externalDsr | v6, LoadBalancerPortMappingFlags.LocalRoutedVip | external, _etpLocal || _preserveDestination, ExternalPolicyText());
            }

            foreach (var text in _spec.ExternalIPs ?? [])
            {
                if (IPAddress.TryParse(text, out var ip) && ip.AddressFamily == family)
                {
                    Add(frontend, FrontendKind.ExternalIp, ip, port.Port, externalDsr | v6, external, _etpLocal, "externalTrafficPolicy: Local");
                }
            }

            foreach (var ingress in _service.Status?.LoadBalancer?.Ingress ?? [])
            {
                // ipMode Proxy: the cloud load balancer proxies to the node, which must not short-circuit the VIP (KEP-1860).
                if (ingress.IpMode == "Proxy" || !IPAddress.TryParse(ingress.Ip, out var ip) || ip.AddressFamily != family)
                {
                    continue;
                }

                var preserve = _preserveDestination
                    ? LoadBalancerPortMappingFlags.UseMux | LoadBalancerPortMappingFlags.EnablePreserveDip
                    : LoadBalancerPortMappingFlags.None;
                Add(frontend, FrontendKind.LoadBalancerIngress, ip, port.Port, (_preserveDestination ? dsr : externalDsr) | v6, external | preserve, _etpLocal || _preserveDestination, ExternalPolicyText());
            }
        }

        private void Add(
            Frontend frontend,
            FrontendKind kind,
            IPAddress? vip,
            int externalPort,
            LoadBalancerFlags flags,
            LoadBalancerPortMappingFlags portMappingFlags,
            bool local,
            string localPolicy)
        {
            var key = LoadBalancerKey.For(frontend.Port, frontend.Family, kind, kind is FrontendKind.ExternalIp or FrontendKind.LoadBalancerIngress ? vip : null);
            if (!_frontends.Add((frontend.Family, vip, externalPort, frontend.Port.Protocol)))
            {
                Condition(ServiceConditionKind.DuplicateFrontend, $"{key}: {vip?.ToString() ?? "node port"}:{externalPort}/{ProtocolText.Format(frontend.Port.Protocol)} is already served by another frontend of this Service");
                return;
            }

            var backends = local ? frontend.Local : frontend.Cluster;
            var (verdict, reason) = backends.Length > 0 ? (LoadBalancerVerdict.Forward, (string?)null)
                : !frontend.HasUsableEndpoints ? (LoadBalancerVerdict.Reject, "no ready or serving-terminating endpoint")
                : (LoadBalancerVerdict.Drop, $"{localPolicy} and no endpoint on this node");
            LoadBalancers.Add(new DesiredLoadBalancer(
                key,
                frontend.Port,
                frontend.Family,
                kind,
                vip,
                frontend.Port.Protocol,
                (ushort)externalPort,
                frontend.InternalPort,
                _distribution,
                flags,
                portMappingFlags,
                frontend.SourceVip,
                backends,
                verdict,
                reason));
        }

        private string ExternalPolicyText() => _etpLocal ? "externalTrafficPolicy: Local" : "annotation preserve-destination";

        /// <summary>The slices' number; without endpoints a numeric targetPort (a named one has nothing to resolve against).</summary>
        private static ushort InternalPort(V1ServicePort port, MergedEndpoints merged) =>
            merged.Port > 0 ? (ushort)merged.Port
            : port.TargetPort?.Value is { } text && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
            : port.TargetPort is null ? (ushort)port.Port
            : (ushort)0;

        /// <summary>
        /// Overlay: the configured source VIP, unless a backend is outside the VXLAN network (a node IP or a public
        /// address, e.g. the API server), whose replies would not come back through the overlay: then the node IP
        /// (kubernetes pkg/proxy/winkernel/proxier.go; kubernetes/kubernetes#74688, #91886). L2bridge: the configured
        /// one, else the node IP.
        /// </summary>
        private IPAddress? SourceVip(AddressFamily family, MergedEndpoints merged)
        {
            var nodeIp = _node.NodeAddressOf(family);
            if (_node.Mode != NetworkMode.Overlay)
            {
                return _node.SourceVipOf(family) ?? nodeIp;
            }

            foreach (var endpoint in merged.Endpoints)
            {
                if (!_node.IsPodAddress(endpoint.Address) && !endpoint.Address.Equals(nodeIp))
                {
                    return nodeIp;
                }
            }

            if (_node.SourceVipOf(family) is { } sourceVip)
            {
                return sourceVip;
            }

            Condition(ServiceConditionKind.NoSourceVip, $"overlay without a {FamilyText(family)} source VIP: load-balanced traffic cannot be SNATed into the VXLAN network");
            return null;
        }

        private static LoadBalancerBackend[] Backends(IReadOnlyList<ServiceEndpoint> endpoints)
        {
            var backends = new LoadBalancerBackend[endpoints.Count];
            for (var i = 0; i < backends.Length; i++)
            {
                var endpoint = endpoints[i];
                backends[i] = new LoadBalancerBackend(endpoint.Address, endpoint.NodeName, endpoint.IsLocal);
            }

            return backends;
        }

        private void Condition(ServiceConditionKind kind, string message)
        {
            foreach (var existing in Conditions)
            {
                if (existing.Kind == kind && existing.Message == message)
                {
                    return;
                }
            }

            Conditions.Add(new ServiceCondition(kind, message));
        }

        private static string FamilyText(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
    }

    /// <summary>What every frontend of one ServicePort and family shares.</summary>
    private sealed record Frontend(
        ServicePortName Port,
        AddressFamily Family,
        ushort InternalPort,
        IPAddress? SourceVip,
        bool HasUsableEndpoints,
        LoadBalancerBackend[] Cluster,
        LoadBalancerBackend[] Local);
}
