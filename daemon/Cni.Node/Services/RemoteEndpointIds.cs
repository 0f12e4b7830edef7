using System.Net;
using System.Net.Sockets;

namespace Cni.Node.Services;

/// <summary>
/// Deterministic identity of the remote HCN endpoints the service proxy creates for backends on other nodes: one per
/// backend IP, so a restarted wincnid recognises its own (and their orphans) without a state file.
/// </summary>
/// <remarks>
/// <see cref="TaggedIds"/> as for <see cref="LoadBalancerIds"/>, under a different tag, so a remote endpoint ID is never taken for a load balancer's. The fake MAC is winkernel's
/// (kubernetes pkg/proxy/winkernel/hns.go): 02-11- and the four low address bytes; it never goes on the wire.
/// </remarks>
public static class RemoteEndpointIds
{
    /// <summary>"wcnr" in ASCII: the first four bytes of every wincni remote-endpoint ID.</summary>
    private const uint Tag = 0x77636E72;

    private const string NamePrefix = "wincni-svc-remote-";

    /// <summary>The ID of the remote endpoint for <paramref name="address"/>.</summary>
    public static Guid IdOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TaggedIds.Create(Tag, address.ToString());
    }

    /// <summary>Whether <paramref name="id"/> is a wincni remote-endpoint ID (tag, version 8, RFC variant).</summary>
    public static bool IsOwned(Guid id) => TaggedIds.HasTag(Tag, id);

    /// <summary>The endpoint name for <paramref name="address"/> (for hnsdiag readers; identity is the ID).</summary>
    public static string NameOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return NamePrefix + address.ToString().Replace(':', '-');
    }

    /// <summary>The fake MAC of the remote endpoint for <paramref name="address"/>.</summary>
    public static string MacOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();

        // IPv6: winkernel takes the last four bytes reversed.
        Span<byte> low = stackalloc byte[4];
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            for (var i = 0; i < 4; i++)
            {
                low[i] = bytes[^(i + 1)];
            }
        }
        else
        {
            bytes.AsSpan(0, 4).CopyTo(low);
        }

        return $"02-11-{low[0]:X2}-{low[1]:X2}-{low[2]:X2}-{low[3]:X2}";
    }
}
