namespace Cni.Node.Services;

/// <summary>Why a Service gets no load balancer at all (kube-proxy's ShouldSkipService and informer label selector).</summary>
public enum ServiceSkipReason
{
    /// <summary><c>clusterIP: None</c>: DNS only.</summary>
    Headless,

    /// <summary>No cluster IP allocated.</summary>
    NoClusterIp,

    /// <summary><c>type: ExternalName</c>: a DNS CNAME.</summary>
    ExternalName,

    /// <summary>Labelled <c>service.kubernetes.io/service-proxy-name</c>: another proxy serves it.</summary>
    OtherServiceProxy,
}
