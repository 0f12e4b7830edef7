using k8s.Models;

namespace Cni.Node.Tests.Services;

/// <summary>Builds the test Service <c>default/web</c>: a ClusterIP Service until told otherwise.</summary>
public sealed class ServiceBuilder
{
    public const string Namespace = "default";
    public const string Name = "web";
    public const string ClusterIpV4 = "10.96.0.10";
    public const string ClusterIpV6 = "fd00:96::10";

    private readonly V1Service _service = new()
    {
        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace, Labels = new Dictionary<string, string>(), Annotations = new Dictionary<string, string>() },
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = ClusterIpV4, ClusterIPs = [ClusterIpV4], Ports = [] },
        Status = new V1ServiceStatus(),
    };

    public static ServiceBuilder ClusterIp() => new();

    public static ServiceBuilder NodePort() => new ServiceBuilder().Type("NodePort");

    public static ServiceBuilder LoadBalancer() => new ServiceBuilder().Type("LoadBalancer");

    public ServiceBuilder Type(string type)
    {
        _service.Spec.Type = type;
        return this;
    }

    public ServiceBuilder ClusterIps(params string[] ips)
    {
        _service.Spec.ClusterIP = ips.Length == 0 ? null : ips[0];
        _service.Spec.ClusterIPs = ips.Length == 0 ? null : ips;
        return this;
    }

    public ServiceBuilder DualStack() => ClusterIps(ClusterIpV4, ClusterIpV6);

    public ServiceBuilder Port(string? name, int port, object targetPort, int? nodePort = null, string protocol = "TCP")
    {
        _service.Spec.Ports.Add(new V1ServicePort
        {
            Name = name,
            Port = port,
            TargetPort = targetPort is int number ? number : (string)targetPort,
            NodePort = nodePort,
            Protocol = protocol,
        });
        return this;
    }

    /// <summary>Another Service beside <c>default/web</c> (its slices are built by the engine tests without a label match).</summary>
    public ServiceBuilder Named(string name, string clusterIp)
    {
        _service.Metadata.Name = name;
        return ClusterIps(clusterIp);
    }

    public ServiceBuilder ExternalIps(params string[] ips)
    {
        _service.Spec.ExternalIPs = ips;
        return this;
    }

    public ServiceBuilder Ingress(string? ip, string? ipMode = null, string? hostname = null)
    {
        _service.Status.LoadBalancer ??= new V1LoadBalancerStatus { Ingress = [] };
        _service.Status.LoadBalancer.Ingress.Add(new V1LoadBalancerIngress { Ip = ip, IpMode = ipMode, Hostname = hostname });
        return this;
    }

    public ServiceBuilder ExternalTrafficPolicy(string policy, int? healthCheckNodePort = null)
    {
        _service.Spec.ExternalTrafficPolicy = policy;
        _service.Spec.HealthCheckNodePort = healthCheckNodePort;
        return this;
    }

    public ServiceBuilder InternalTrafficPolicy(string policy)
    {
        _service.Spec.InternalTrafficPolicy = policy;
        return this;
    }

    public ServiceBuilder ClientIpAffinity()
    {
        _service.Spec.SessionAffinity = "ClientIP";
        return this;
    }

    public ServiceBuilder ExternalName(string name)
    {
        _service.Spec.Type = "ExternalName";
        _service.Spec.ExternalName = name;
        return ClusterIps();
    }

    public ServiceBuilder Label(string key, string value)
    {
        _service.Metadata.Labels[key] = value;
        return this;
    }

    public ServiceBuilder Annotation(string key, string value)
    {
        _service.Metadata.Annotations[key] = value;
        return this;
    }

    public ServiceBuilder SourceRanges(params string[] ranges)
    {
        _service.Spec.LoadBalancerSourceRanges = ranges;
        return this;
    }

    public V1Service Build() => _service;
}
