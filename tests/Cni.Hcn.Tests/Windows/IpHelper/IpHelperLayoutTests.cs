using System.Runtime.InteropServices;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.Windows.IpHelper;

/// <summary>
/// The native structs byte for byte: sizes and offsets as mingw-w64's netioapi.h / ws2ipdef.h on x64 (and
/// wireguard-windows tunnel/winipcfg/types.go). A wrong offset here corrupts memory on Windows, so every member the
/// code touches is pinned.
/// </summary>
public sealed class IpHelperLayoutTests
{
    [Test]
    public void Sizes_MatchNetioapi()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Marshal.SizeOf<SockAddrInet>(), Is.EqualTo(28));
            Assert.That(Marshal.SizeOf<IpAddressPrefix>(), Is.EqualTo(32));
            Assert.That(Marshal.SizeOf<MibIpForwardRow2>(), Is.EqualTo(104));
            Assert.That(Marshal.SizeOf<MibIpInterfaceRow>(), Is.EqualTo(168));
        });
    }

    [TestCase(nameof(SockAddrInet.Family), 0)]
    [TestCase(nameof(SockAddrInet.Port), 2)]
    [TestCase(nameof(SockAddrInet.Ipv4Address), 4)]
    [TestCase(nameof(SockAddrInet.Ipv6FlowInfo), 4)]
    [TestCase(nameof(SockAddrInet.Ipv6Address), 8)]
    [TestCase(nameof(SockAddrInet.Ipv6ScopeId), 24)]
    public void SockAddrInet_Offsets(string field, int offset) =>
        Assert.That(Marshal.OffsetOf<SockAddrInet>(field).ToInt32(), Is.EqualTo(offset));

    [TestCase(nameof(IpAddressPrefix.Prefix), 0)]
    [TestCase(nameof(IpAddressPrefix.PrefixLength), 28)]
    public void IpAddressPrefix_Offsets(string field, int offset) =>
        Assert.That(Marshal.OffsetOf<IpAddressPrefix>(field).ToInt32(), Is.EqualTo(offset));

    [TestCase(nameof(MibIpForwardRow2.InterfaceLuid), 0)]
    [TestCase(nameof(MibIpForwardRow2.InterfaceIndex), 8)]
    [TestCase(nameof(MibIpForwardRow2.DestinationPrefix), 12)]
    [TestCase(nameof(MibIpForwardRow2.NextHop), 44)]
    [TestCase(nameof(MibIpForwardRow2.SitePrefixLength), 72)]
    [TestCase(nameof(MibIpForwardRow2.ValidLifetime), 76)]
    [TestCase(nameof(MibIpForwardRow2.PreferredLifetime), 80)]
    [TestCase(nameof(MibIpForwardRow2.Metric), 84)]
    [TestCase(nameof(MibIpForwardRow2.Protocol), 88)]
    [TestCase(nameof(MibIpForwardRow2.Loopback), 92)]
    [TestCase(nameof(MibIpForwardRow2.AutoconfigureAddress), 93)]
    [TestCase(nameof(MibIpForwardRow2.Publish), 94)]
    [TestCase(nameof(MibIpForwardRow2.Immortal), 95)]
    [TestCase(nameof(MibIpForwardRow2.Age), 96)]
    [TestCase(nameof(MibIpForwardRow2.Origin), 100)]
    public void MibIpForwardRow2_Offsets(string field, int offset) =>
        Assert.That(Marshal.OffsetOf<MibIpForwardRow2>(field).ToInt32(), Is.EqualTo(offset));

    [TestCase(nameof(MibIpInterfaceRow.Family), 0)]
    [TestCase(nameof(MibIpInterfaceRow.InterfaceLuid), 8)]
    [TestCase(nameof(MibIpInterfaceRow.InterfaceIndex), 16)]
    [TestCase(nameof(MibIpInterfaceRow.MaxReassemblySize), 20)]
    [TestCase(nameof(MibIpInterfaceRow.InterfaceIdentifier), 24)]
    [TestCase(nameof(MibIpInterfaceRow.AdvertisingEnabled), 40)]
    [TestCase(nameof(MibIpInterfaceRow.ForwardingEnabled), 41)]
    [TestCase(nameof(MibIpInterfaceRow.ZoneIndices), 80)]
    [TestCase(nameof(MibIpInterfaceRow.SitePrefixLength), 144)]
    [TestCase(nameof(MibIpInterfaceRow.Metric), 148)]
    [TestCase(nameof(MibIpInterfaceRow.NlMtu), 152)]
    [TestCase(nameof(MibIpInterfaceRow.Connected), 156)]
    [TestCase(nameof(MibIpInterfaceRow.ReachableTime), 160)]
    [TestCase(nameof(MibIpInterfaceRow.DisableDefaultRoutes), 166)]
    public void MibIpInterfaceRow_Offsets(string field, int offset) =>
        Assert.That(Marshal.OffsetOf<MibIpInterfaceRow>(field).ToInt32(), Is.EqualTo(offset));

    [Test]
    public void SockAddrInet_IPv4_FamilyTwoAddressAtFourRestZero()
    {
        var address = SockAddrInet.From(System.Net.IPAddress.Parse("192.0.2.10"));
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<SockAddrInet>(in address)).ToArray();

        Assert.That(bytes, Is.EqualTo(new byte[] { 2, 0, 0, 0, 192, 0, 2, 10 }.Concat(new byte[20])));
    }

    [Test]
    public void SockAddrInet_IPv6_Family23AddressAtEightScopeAt24()
    {
        var address = SockAddrInet.From(System.Net.IPAddress.Parse("fd00::1%5"));
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<SockAddrInet>(in address)).ToArray();

        Assert.That(bytes[..2], Is.EqualTo(new byte[] { 23, 0 }));
        Assert.That(bytes[8], Is.EqualTo(0xFD));
        Assert.That(bytes[23], Is.EqualTo(1));
        Assert.That(bytes[24..28], Is.EqualTo(new byte[] { 5, 0, 0, 0 }));
        Assert.That(address.ToAddress(), Is.EqualTo(System.Net.IPAddress.Parse("fd00::1%5")));
    }
}
