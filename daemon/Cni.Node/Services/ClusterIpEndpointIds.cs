using System.Net;

namespace Cni.Node.Services;

/// <summary>
/// Deterministic identity of the overlay ClusterIP "VIP endpoints" the service proxy creates: one remote HCN endpoint
/// per cluster IP, so a restarted wincnid recognises its own and never takes another agent's for one.
/// </summary>
/// <remarks><see cref="TaggedIds"/> under a tag of its own, so a VIP endpoint is never taken for a backend's remote endpoint (and never deleted as an unused one).</remarks>
public static class ClusterIpEndpointIds
{
    /// <summary>"wcnv" in ASCII: the first four bytes of every wincni VIP-endpoint ID.</summary>
    private const uint Tag = 0x77636E76;

    private const string NamePrefix = "wincni-svc-vip-";

    /// <summary>The ID of the VIP endpoint for the cluster IP <paramref name="address"/>.</summary>
    public static Guid IdOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TaggedIds.Create(Tag, address.ToString());
    }

    /// <summary>Whether <paramref name="id"/> is a wincni VIP-endpoint ID.</summary>
    public static bool IsOwned(Guid id) => TaggedIds.HasTag(Tag, id);

    /// <summary>The endpoint name for <paramref name="address"/> (for hnsdiag readers; identity is the ID).</summary>
    public static string NameOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return NamePrefix + address.ToString().Replace(':', '-');
    }
}
