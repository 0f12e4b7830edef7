namespace Cni.Node.Configuration;

/// <summary>How wincnid decides on direct server return (load balancers keep the client's address, replies skip the host's NAT).</summary>
public enum DsrMode
{
    /// <summary>On when the service proxy runs and HNS supports DSR (HcnFeatures.Dsr), as kube-proxy's winkernel checks it.</summary>
    Auto,

    /// <summary>Always on (an external kube-proxy with <c>--enable-dsr</c> needs the pods' loopback-DSR policy); start fails if HNS lacks it.</summary>
    On,

    /// <summary>Never.</summary>
    Off,
}
