using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.HostRouting;

/// <summary>
/// iphlpapi.dll emulated at the level of its structs: rows are decoded the way MS-docs say Windows reads them
/// (InterfaceLuid wins over InterfaceIndex when not 0; family from the SOCKADDR_INET; BOOLEAN bytes), tables are
/// written into native memory as <c>MIB_IPFORWARD_TABLE2</c> (count @0, rows @8, stride 104) and must be given back
/// through <see cref="FreeMibTable"/> exactly once, and the error codes are the documented ones. With it
/// <see cref="IpHelperHostRouting"/>'s row building, table reading and code mapping run on any OS.
/// </summary>
internal sealed unsafe class EmulatedIpHelperApi : IIpHelperApi
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Interface> _interfaces = [];
    private readonly List<MibIpForwardRow2> _routes = [];
    private readonly ConcurrentDictionary<nint, int> _tables = new();

    /// <summary>Tables handed out and not yet freed.</summary>
    public int OutstandingTables => _tables.Count;

    /// <summary>Every row CreateIpForwardEntry2 accepted, as it was passed.</summary>
    public List<MibIpForwardRow2> Created { get; } = [];

    /// <summary>Every row SetIpInterfaceEntry accepted, as it was passed.</summary>
    public List<MibIpInterfaceRow> InterfaceSets { get; } = [];

    /// <summary>The next GetIpForwardTable2 fails with this code after allocating a table (a leak would show).</summary>
    public int? FailNextTableWith { get; set; }

    public void AddInterface(uint index, params IPAddress[] addresses)
    {
        lock (_gate)
        {
            _interfaces[index] = new Interface(index, 0x0006_0000_0000_0000UL | index, [.. addresses]);
        }
    }

    public void InitializeIpForwardEntry(out MibIpForwardRow2 row)
    {
        // MS-docs InitializeIpForwardEntry: lifetimes infinite; Loopback, AutoconfigureAddress, Publish and Immortal
        // TRUE; SitePrefixLength, Metric and Protocol illegal; the rest 0.
        row = default;
        row.ValidLifetime = MibIpForwardRow2.InfiniteLifetime;
        row.PreferredLifetime = MibIpForwardRow2.InfiniteLifetime;
        row.Loopback = 1;
        row.AutoconfigureAddress = 1;
        row.Publish = 1;
        row.Immortal = 1;
        row.SitePrefixLength = 0xFF;
        row.Metric = 0xFFFFFFFF;
        row.Protocol = 0xFFFFFFFF;
    }

    public int CreateIpForwardEntry2(in MibIpForwardRow2 row)
    {
        lock (_gate)
        {
            if (Validate(row) is { } invalid)
            {
                return invalid;
            }

            if (Resolve(row.InterfaceLuid, row.InterfaceIndex) is not { } target)
            {
                return Win32Error.NotFound;
            }

            if (row.Metric == 0xFFFFFFFF || row.PreferredLifetime > row.ValidLifetime || row.SitePrefixLength > row.DestinationPrefix.PrefixLength)
            {
                return Win32Error.InvalidParameter;
            }

            var stored = row;
            stored.InterfaceIndex = target.Index;
            stored.InterfaceLuid = target.Luid;
            if (_routes.Exists(r => SameKey(r, stored)))
            {
                return Win32Error.ObjectAlreadyExists;
            }

            _routes.Add(stored);
            Created.Add(row);
            return Win32Error.Success;
        }
    }

    public int DeleteIpForwardEntry2(in MibIpForwardRow2 row)
    {
        lock (_gate)
        {
            if (Validate(row) is { } invalid)
            {
                return invalid;
            }

            if (Resolve(row.InterfaceLuid, row.InterfaceIndex) is not { } target)
            {
                return Win32Error.NotFound;
            }

            var key = row;
            key.InterfaceIndex = target.Index;
            key.InterfaceLuid = target.Luid;
            return _routes.RemoveAll(r => SameKey(r, key)) > 0 ? Win32Error.Success : Win32Error.NotFound;
        }
    }

    public int GetIpForwardTable2(ushort family, out nint table)
    {
        table = 0;
        if (family is not (0 or SockAddrInet.AfInet or SockAddrInet.AfInet6))
        {
            return Win32Error.InvalidParameter;
        }

        List<MibIpForwardRow2> rows;
        lock (_gate)
        {
            rows = [.. _routes.Where(r => family == 0 || r.DestinationPrefix.Prefix.Family == family)];
        }

        // The table is allocated even when the call then fails: the caller must free whatever it got.
        var size = 8 + (rows.Count * sizeof(MibIpForwardRow2));
        table = Marshal.AllocHGlobal(size);
        new Span<byte>((void*)table, size).Fill(0xCD);
        Marshal.WriteInt32(table, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Unsafe.WriteUnaligned((void*)(table + 8 + (i * sizeof(MibIpForwardRow2))), rows[i]);
        }

        _tables[table] = size;
        if (FailNextTableWith is { } code)
        {
            FailNextTableWith = null;
            return code;
        }

        return rows.Count == 0 ? Win32Error.NotFound : Win32Error.Success;
    }

    public void FreeMibTable(nint table)
    {
        if (!_tables.TryRemove(table, out _))
        {
            throw new InvalidOperationException($"FreeMibTable(0x{table:X}): not a table this API handed out, or freed twice");
        }

        Marshal.FreeHGlobal(table);
    }

    public int GetIpInterfaceEntry(ref MibIpInterfaceRow row)
    {
        lock (_gate)
        {
            if (Resolve(row.InterfaceLuid, row.InterfaceIndex) is not { } target)
            {
                return Win32Error.FileNotFound;
            }

            if (row.Family is not (SockAddrInet.AfInet or SockAddrInet.AfInet6))
            {
                return Win32Error.InvalidParameter;
            }

            var family = row.Family;
            row = default;
            row.Family = family;
            row.InterfaceLuid = target.Luid;
            row.InterfaceIndex = target.Index;
            row.ForwardingEnabled = target.Forwarding.Contains(family) ? (byte)1 : (byte)0;
            row.SitePrefixLength = 64; // Windows reports a site prefix length; IPv4 must send 0 back
            row.Metric = 25;
            row.NlMtu = 1500;
            row.Connected = 1;
            return Win32Error.Success;
        }
    }

    public int SetIpInterfaceEntry(ref MibIpInterfaceRow row)
    {
        lock (_gate)
        {
            if (Resolve(row.InterfaceLuid, row.InterfaceIndex) is not { } target)
            {
                return Win32Error.FileNotFound;
            }

            if (row.Family == SockAddrInet.AfInet && row.SitePrefixLength != 0)
            {
                // MS-docs SetIpInterfaceEntry: SitePrefixLength must be 0 for IPv4.
                return Win32Error.InvalidParameter;
            }

            if (row.ForwardingEnabled != 0)
            {
                target.Forwarding.Add(row.Family);
            }
            else
            {
                target.Forwarding.Remove(row.Family);
            }

            InterfaceSets.Add(row);
            return Win32Error.Success;
        }
    }

    public int? FindInterfaceIndex(IPAddress address)
    {
        lock (_gate)
        {
            return _interfaces.Values.FirstOrDefault(i => i.Addresses.Contains(address)) is { } found ? (int)found.Index : null;
        }
    }

    /// <summary>ERROR_INVALID_PARAMETER for a row Windows could not read (MS-docs CreateIpForwardEntry2), else null.</summary>
    private static int? Validate(in MibIpForwardRow2 row)
    {
        var destination = row.DestinationPrefix.Prefix;
        if (destination.Family is not (SockAddrInet.AfInet or SockAddrInet.AfInet6) || row.NextHop.Family != destination.Family)
        {
            return Win32Error.InvalidParameter;
        }

        var bits = destination.Family == SockAddrInet.AfInet ? 32 : 128;
        if (row.DestinationPrefix.PrefixLength > bits || row.DestinationPrefix.ToNetwork() is not { } network
            || !network.BaseAddress.Equals(destination.ToAddress()))
        {
            // Host bits set, or a prefix length the family cannot have.
            return Win32Error.InvalidParameter;
        }

        return null;
    }

    private Interface? Resolve(ulong luid, uint index) =>
        luid != 0 ? _interfaces.Values.FirstOrDefault(i => i.Luid == luid) : _interfaces.GetValueOrDefault(index);

    private static bool SameKey(MibIpForwardRow2 a, MibIpForwardRow2 b) =>
        a.InterfaceIndex == b.InterfaceIndex
        && a.DestinationPrefix.PrefixLength == b.DestinationPrefix.PrefixLength
        && Equals(a.DestinationPrefix.Prefix.ToAddress(), b.DestinationPrefix.Prefix.ToAddress())
        && Equals(a.NextHop.ToAddress(), b.NextHop.ToAddress());

    private sealed class Interface(uint index, ulong luid, HashSet<IPAddress> addresses)
    {
        public uint Index { get; } = index;

        public ulong Luid { get; } = luid;

        public HashSet<IPAddress> Addresses { get; } = addresses;

        public HashSet<ushort> Forwarding { get; } = [];
    }
}
