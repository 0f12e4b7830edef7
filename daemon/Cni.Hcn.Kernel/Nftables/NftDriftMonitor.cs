using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// Tells whether nftables may have changed behind wincni's back: the nf_tables generation (<see cref="NftGeneration"/>)
/// at which wincni's tables were last known to be as wincni left them, kept up to date after each of wincni's own
/// commits. A commit that moves the generation by exactly one from the known value was wincni's alone, so the tables
/// stay known; any other value (someone else committed before or right after it) is left for the next check to verify.
/// The socket stays open (closing a netfilter socket waits for an RCU grace period, milliseconds) and lives in the
/// node's namespace. Callers serialize (KernelHcn's commit gate); the socket has its own lock besides.
/// </summary>
internal sealed class NftDriftMonitor : IDisposable
{
    private readonly string? _netnsPath;
    private readonly Lock _lock = new();
    private NetlinkSocket? _socket;
    private uint? _known;

    /// <summary>Creates a monitor for <paramref name="netnsPath"/> (null: the process's namespace); the socket opens on first use.</summary>
    public NftDriftMonitor(string? netnsPath)
    {
        _netnsPath = netnsPath;
    }

    /// <summary>The generation at which wincni's tables were last known to be intact, null when never (or no longer) known.</summary>
    public uint? Known => _known;

    /// <summary>The namespace's current generation.</summary>
    /// <exception cref="NetlinkException">The request failed.</exception>
    public NftGeneration Read() => NftGeneration.Parse(Socket().Get(NftGeneration.Request(), "nftables generation"));

    /// <summary>After one of wincni's own commits: the tables stay known only if nobody else committed since they were.</summary>
    public void Committed()
    {
        try
        {
            var now = Read().Id;
            if (_known is { } known && unchecked(known + 1) == now)
            {
                _known = now;
            }
        }
        catch (NetlinkException)
        {
            // Unknown now: the next check verifies.
            _known = null;
        }
    }

    /// <summary>Records that wincni's tables were verified (or rewritten) at <paramref name="generation"/>.</summary>
    public void Verified(uint generation) => _known = generation;

    /// <summary>Forgets the known generation, so the next check verifies.</summary>
    public void Forget() => _known = null;

    /// <summary>One table's counted contents (<see cref="NftShapeReader"/>), null when the table does not exist.</summary>
    /// <param name="table">An <c>ip</c> table's name, or <c>ip6 &lt;name&gt;</c> (<see cref="NftFamily.Qualify"/>).</param>
    public NftTableShape? ReadShape(string table)
    {
        var (family, name) = NftFamily.Split(table);
        return NftShapeReader.Read(Socket(), name, family);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    private NetlinkSocket Socket()
    {
        lock (_lock)
        {
            return _socket ??= _netnsPath is null
                ? NetlinkSocket.Open(Libc.NetlinkNetfilter)
                : NetnsThread.Run(_netnsPath, () => NetlinkSocket.Open(Libc.NetlinkNetfilter));
        }
    }
}
