using System.Net;

namespace Cni.Hcn.Kernel.Conntrack;

/// <summary>
/// Which conntrack entries are stale for one load-balancer frontend: those whose original destination is the frontend
/// and, when <paramref name="ReplySources"/> is given, whose reply comes from one of those (removed) backends.
/// </summary>
/// <param name="Protocol">IPPROTO_* (UDP or SCTP: never TCP, whose flows end with a reset or a new connection).</param>
/// <param name="Destination">The VIP; null for a NodePort, which matches any local address (outside 127.0.0.0/8).</param>
/// <param name="Port">The frontend port (original destination port).</param>
/// <param name="ReplySources">Removed backends (reply source address and port); null for "any": a frontend that had
/// no backend and now has some, whose rejected or blackholed flows must be resolved again.</param>
internal sealed record ConntrackFilter(byte Protocol, IPAddress? Destination, ushort Port, IReadOnlySet<IPEndPoint>? ReplySources)
{
    /// <summary>Whether <paramref name="entry"/> is one of the stale entries.</summary>
    /// <param name="entry">A conntrack entry.</param>
    /// <param name="isLocal">Whether an address is one of the node's (only asked for NodePort filters).</param>
    public bool Matches(ConntrackEntry entry, Func<IPAddress, bool> isLocal)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(isLocal);
        var original = entry.Original;
        if (original.Protocol != Protocol || original.DestinationPort != Port)
        {
            return false;
        }

        if (ReplySources is not null && !ReplySources.Contains(new IPEndPoint(entry.Reply.Source, entry.Reply.SourcePort)))
        {
            return false;
        }

        return Destination is not null
            ? Destination.Equals(original.Destination)
            : !IPAddress.IsLoopback(original.Destination) && isLocal(original.Destination);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Protocol} {(Destination?.ToString() ?? "*")}:{Port} reply from {(ReplySources is null ? "any" : string.Join(",", ReplySources))}";
}
