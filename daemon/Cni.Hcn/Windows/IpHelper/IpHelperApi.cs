using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.Versioning;

namespace Cni.Hcn.Windows.IpHelper;

/// <summary>The production <see cref="IIpHelperApi"/>: each member one export, no logic.</summary>
[SupportedOSPlatform("windows")]
internal sealed class IpHelperApi : IIpHelperApi
{
    public void InitializeIpForwardEntry(out MibIpForwardRow2 row) => IpHelperNative.InitializeIpForwardEntry(out row);

    public int CreateIpForwardEntry2(in MibIpForwardRow2 row) => IpHelperNative.CreateIpForwardEntry2(in row);

    public int DeleteIpForwardEntry2(in MibIpForwardRow2 row) => IpHelperNative.DeleteIpForwardEntry2(in row);

    public int GetIpForwardTable2(ushort family, out nint table) => IpHelperNative.GetIpForwardTable2(family, out table);

    public void FreeMibTable(nint table) => IpHelperNative.FreeMibTable(table);

    public int GetIpInterfaceEntry(ref MibIpInterfaceRow row) => IpHelperNative.GetIpInterfaceEntry(ref row);

    public int SetIpInterfaceEntry(ref MibIpInterfaceRow row) => IpHelperNative.SetIpInterfaceEntry(ref row);

    public int? FindInterfaceIndex(IPAddress address)
    {
        foreach (var adapter in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = adapter.GetIPProperties();
            if (!properties.UnicastAddresses.Any(a => a.Address.Equals(address)))
            {
                continue;
            }

            // The index is per family on Windows (IPv4 and IPv6 interfaces of one adapter share it in practice).
            return address.AddressFamily == AddressFamily.InterNetworkV6
                ? properties.GetIPv6Properties()?.Index
                : properties.GetIPv4Properties()?.Index;
        }

        return null;
    }
}
