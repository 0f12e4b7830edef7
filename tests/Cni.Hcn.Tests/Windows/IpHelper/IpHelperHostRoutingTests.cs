using System.Net;
using System.Net.Sockets;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Tests.HostRouting;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.Windows.IpHelper;

/// <summary>What <see cref="IpHelperHostRouting"/> hands iphlpapi.dll, beyond the contract: the row's shape and the table's lifetime.</summary>
public sealed class IpHelperHostRoutingTests
{
    private static readonly HostRoute Route = new(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("192.0.2.11"), 7);

    private static (EmulatedIpHelperApi Api, IpHelperHostRouting Routing) Create()
    {
        var api = new EmulatedIpHelperApi();
        api.AddInterface(7, IPAddress.Parse("192.0.2.10"));
        return (api, new IpHelperHostRouting(api));
    }

    [Test]
    public async Task AddRouteAsync_Row_ShapedAsNewNetRouteDefaults()
    {
        var (api, routing) = Create();

        await routing.AddRouteAsync(Route, CancellationToken.None);

        var row = api.Created.Single();
        Assert.Multiple(() =>
        {
            Assert.That(row.InterfaceLuid, Is.Zero, "the index names the interface");
            Assert.That(row.InterfaceIndex, Is.EqualTo(7u));
            Assert.That(row.DestinationPrefix.ToNetwork(), Is.EqualTo(IPNetwork.Parse("10.244.2.0/24")));
            Assert.That(row.NextHop.ToAddress(), Is.EqualTo(IPAddress.Parse("192.0.2.11")));
            Assert.That(row.Metric, Is.EqualTo(256u), "New-NetRoute's default metric");
            Assert.That(row.Protocol, Is.EqualTo(3u), "MIB_IPPROTO_NETMGMT, as New-NetRoute");
            Assert.That(row.Publish, Is.Zero, "New-NetRoute's default: not published");
            Assert.That(row.SitePrefixLength, Is.Zero);
            Assert.That((row.ValidLifetime, row.PreferredLifetime), Is.EqualTo((0xFFFFFFFFu, 0xFFFFFFFFu)));
        });
    }

    [Test]
    public async Task AddRouteAsync_IPv6_RowCarriesFamily23()
    {
        var api = new EmulatedIpHelperApi();
        api.AddInterface(9, IPAddress.Parse("fd00::10"));
        var routing = new IpHelperHostRouting(api);

        await routing.AddRouteAsync(new HostRoute(IPNetwork.Parse("fd00:2::/64"), IPAddress.Parse("fd00::11"), 9), CancellationToken.None);
        var listed = await routing.ListRoutesAsync(AddressFamily.InterNetworkV6, CancellationToken.None);

        Assert.That(api.Created.Single().DestinationPrefix.Prefix.Family, Is.EqualTo(23));
        Assert.That(listed.Single().Destination, Is.EqualTo(IPNetwork.Parse("fd00:2::/64")));
    }

    [Test]
    public async Task ListRoutesAsync_SeveralRows_ReadWithTheRowStride()
    {
        var (api, routing) = Create();
        for (var i = 2; i < 7; i++)
        {
            await routing.AddRouteAsync(Route with { Destination = IPNetwork.Parse($"10.244.{i}.0/24"), Metric = (uint)(300 + i) }, CancellationToken.None);
        }

        var listed = await routing.ListRoutesAsync(AddressFamily.InterNetwork, CancellationToken.None);

        Assert.That(listed.Select(r => (r.Destination.ToString(), r.Metric, r.InterfaceIndex)), Is.EqualTo(
            Enumerable.Range(2, 5).Select(i => ($"10.244.{i}.0/24", (uint)(300 + i), 7))));
        Assert.That(api.OutstandingTables, Is.Zero);
    }

    [Test]
    public void ListRoutesAsync_CallFailsAfterAllocating_TableStillFreed()
    {
        var (api, routing) = Create();
        api.FailNextTableWith = 5;

        var ex = Assert.ThrowsAsync<HostRoutingException>(() => routing.ListRoutesAsync(AddressFamily.InterNetwork, CancellationToken.None));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.AccessDenied));
        Assert.That(ex.Message, Does.Contain("ERROR_ACCESS_DENIED"));
        Assert.That(api.OutstandingTables, Is.Zero);
    }

    [Test]
    public async Task SetForwardingAsync_IPv4_SitePrefixLengthZeroedAsSetIpInterfaceEntryRequires()
    {
        var (api, routing) = Create();

        await routing.SetForwardingAsync(7, AddressFamily.InterNetwork, true, CancellationToken.None);

        var row = api.InterfaceSets.Single();
        Assert.That((row.ForwardingEnabled, row.SitePrefixLength, row.Family, row.Metric), Is.EqualTo(((byte)1, 0u, (ushort)2, 25u)),
            "read first, then only ForwardingEnabled and SitePrefixLength changed");
    }

    [Test]
    public async Task SetForwardingAsync_IPv6_SitePrefixLengthKept()
    {
        var api = new EmulatedIpHelperApi();
        api.AddInterface(9, IPAddress.Parse("fd00::10"));
        var routing = new IpHelperHostRouting(api);

        await routing.SetForwardingAsync(9, AddressFamily.InterNetworkV6, true, CancellationToken.None);

        Assert.That(api.InterfaceSets.Single().SitePrefixLength, Is.EqualTo(64u));
        Assert.That(await routing.GetForwardingAsync(9, AddressFamily.InterNetworkV6, CancellationToken.None), Is.True);
    }

    [Test]
    public void AddRouteAsync_MixedFamilies_InvalidParameterBeforeAnyCall()
    {
        var (api, routing) = Create();

        var ex = Assert.ThrowsAsync<HostRoutingException>(() => routing.AddRouteAsync(Route with { NextHop = IPAddress.Parse("fd00::1") }, CancellationToken.None));

        Assert.That(ex!.Kind, Is.EqualTo(HostRoutingErrorKind.InvalidParameter));
        Assert.That(api.Created, Is.Empty);
    }
}
