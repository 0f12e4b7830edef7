using System.Globalization;
using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Kubernetes.Flannel;
using Cni.Node.Services;
using k8s.Models;

namespace Cni.Benchmarks.Services;

/// <summary>
/// The issue-12 scale: <c>services</c> NodePort Services in namespace <c>bench</c>, each with ports 80→8080 and
/// 443→8443 (so a ClusterIP and a NodePort frontend per port: 4 load balancers per Service) and one EndpointSlice of
/// <c>endpointsPerService</c> ready endpoints, every <c>remoteEvery</c>-th of them on one of 50 peer Nodes. This node
/// (<c>self</c>, 192.0.2.10) owns pod subnet 10.64.0.0/16; peer p owns 10.(65+p).0.0/16 at provider address 192.0.2.(11+p).
/// NodePorts run past the default 30000-32767 range (the engine does not care; a real cluster would set a wider one).
/// </summary>
internal sealed class ServiceWorkload
{
    public const string Namespace = "bench";
    public const string SelfNode = "self";
    public const string NodeIp = "192.0.2.10";
    public const string SourceVip = "10.64.0.2";
    public const string LocalSubnet = "10.64.0.0/16";
    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";
    public const int Peers = 50;
    public const int PortsPerService = 2;
    public const int FrontendsPerPort = 2;

    private readonly int[] _nextRemote = new int[Peers];
    private readonly FlannelAnnotations _annotations = new();
    private int _nextLocal;

    public ServiceWorkload(int services, int endpointsPerService, int remoteEvery, bool overlay)
    {
        ServiceCount = services;
        Overlay = overlay;
        var serviceObjects = new V1Service[services];
        var slices = new V1EndpointSlice[services];
        var locals = new List<IPAddress>();
        var remote = 0;
        for (var s = 0; s < services; s++)
        {
            serviceObjects[s] = Service(s);
            var endpoints = new List<V1Endpoint>(endpointsPerService);
            for (var e = 0; e < endpointsPerService; e++)
            {
                if (((s * endpointsPerService) + e) % remoteEvery == 0)
                {
                    endpoints.Add(NewRemoteEndpoint(remote++ % Peers));
                    RemoteAddresses++;
                }
                else
                {
                    var address = NewLocalAddress();
                    locals.Add(address);
                    endpoints.Add(Endpoint(address, SelfNode));
                }
            }

            slices[s] = Slice(s, endpoints);
        }

        Services = serviceObjects;
        Slices = slices;
        LocalAddresses = locals;
        Nodes = [Node(SelfNode, NodeIp, zone: "z1"), .. Enumerable.Range(0, Peers).Select(p => Node(PeerName(p), PeerAddress(p), zone: "z2"))];
    }

    public int ServiceCount { get; }

    public bool Overlay { get; }

    public IReadOnlyList<V1Service> Services { get; }

    public IReadOnlyList<V1EndpointSlice> Slices { get; }

    public IReadOnlyList<V1Node> Nodes { get; }

    /// <summary>Pods on this node: each needs an HCN endpoint before the first pass (the CNI made them).</summary>
    public IReadOnlyList<IPAddress> LocalAddresses { get; }

    /// <summary>Distinct backend addresses on other nodes: one remote endpoint each.</summary>
    public int RemoteAddresses { get; }

    public int LoadBalancers => ServiceCount * PortsPerService * FrontendsPerPort;

    /// <summary>This node's facts for the translator.</summary>
    public ProxyNodeFacts Facts => new(
        SelfNode,
        null,
        Overlay ? NetworkMode.Overlay : NetworkMode.L2Bridge,
        [IPAddress.Parse(NodeIp)],
        Overlay ? [IPAddress.Parse(SourceVip)] : [],
        [IPNetwork.Parse("10.64.0.0/10")],
        Dsr: false);

    /// <summary>
    /// A new EndpointSlice object for Service <paramref name="service"/> in which one remote endpoint moved to a new
    /// address on another peer (a pod rescheduled), stamped with the trigger time now, as the API server would send it.
    /// </summary>
    public V1EndpointSlice MoveOneRemoteEndpoint(int service, Random random, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(random);
        var current = Slices[service];
        var endpoints = current.Endpoints.ToList();
        var remote = endpoints.Select((e, i) => (e, i)).Where(p => p.e.NodeName != SelfNode).Select(p => p.i).ToList();
        var index = remote[random.Next(remote.Count)];
        endpoints[index] = NewRemoteEndpoint(random.Next(Peers));
        var slice = Slice(service, endpoints);
        slice.Metadata.Annotations[LastChangeTriggerTime] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        ((V1EndpointSlice[])Slices)[service] = slice;
        return slice;
    }

    private static string PeerName(int peer) => string.Create(CultureInfo.InvariantCulture, $"peer-{peer}");

    private static string PeerAddress(int peer) => string.Create(CultureInfo.InvariantCulture, $"192.0.2.{11 + peer}");

    private static V1Service Service(int s) => new()
    {
        Metadata = new V1ObjectMeta { Name = Name(s), NamespaceProperty = Namespace },
        Spec = new V1ServiceSpec
        {
            Type = "NodePort",
            ClusterIP = ClusterIp(s),
            ClusterIPs = [ClusterIp(s)],
            Ports =
            [
                new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080, Protocol = "TCP", NodePort = 30000 + (2 * s) },
                new V1ServicePort { Name = "https", Port = 443, TargetPort = 8443, Protocol = "TCP", NodePort = 30001 + (2 * s) },
            ],
        },
        Status = new V1ServiceStatus(),
    };

    private static string Name(int s) => string.Create(CultureInfo.InvariantCulture, $"svc-{s}");

    // The service CIDR (172.20.0.0/16) is apart from every pod CIDR (10.64.0.0/10), as on a real cluster.
    private static string ClusterIp(int s) => string.Create(CultureInfo.InvariantCulture, $"172.20.{(s + 1) / 256}.{(s + 1) % 256}");

    private static V1EndpointSlice Slice(int s, List<V1Endpoint> endpoints) => new()
    {
        AddressType = "IPv4",
        Metadata = new V1ObjectMeta
        {
            Name = Name(s) + "-x7k2p",
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { [ServiceProxyController.ServiceNameLabel] = Name(s) },
            Annotations = new Dictionary<string, string>(),
        },
        Ports =
        [
            new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" },
            new Discoveryv1EndpointPort { Name = "https", Port = 8443, Protocol = "TCP" },
        ],
        Endpoints = endpoints,
    };

    private static V1Endpoint Endpoint(IPAddress address, string node) => new()
    {
        Addresses = [address.ToString()],
        NodeName = node,
        Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
    };

    private V1Endpoint NewRemoteEndpoint(int peer)
    {
        var m = _nextRemote[peer]++;
        return Endpoint(new IPAddress([10, (byte)(65 + peer), (byte)(1 + (m / 250)), (byte)(2 + (m % 250))]), PeerName(peer));
    }

    private IPAddress NewLocalAddress()
    {
        var k = _nextLocal++;
        return new IPAddress([10, 64, (byte)(1 + (k / 250)), (byte)(2 + (k % 250))]);
    }

    private V1Node Node(string name, string address, string zone) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { [ServiceProxyController.ZoneLabel] = zone },
            Annotations = new Dictionary<string, string> { [_annotations.PublicIp] = address },
        },
        Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address }] },
    };
}
