using System.Net;

namespace Cni.Spec.Results;

/// <summary>
/// One entry of a result's <c>ips</c>. There is no version property: 0.3.x/0.4.0 <c>"version"</c> is always derived
/// from the address family when written, so it can never disagree with the address.
/// </summary>
public sealed record ResultIpConfig
{
    public required IpAddressWithPrefix Address { get; init; }

    public IPAddress? Gateway { get; init; }

    /// <summary>Index into the result's interfaces; 0 ≤ i &lt; interfaces.Count when set. IPAM results leave it out.</summary>
    public int? Interface { get; init; }
}
