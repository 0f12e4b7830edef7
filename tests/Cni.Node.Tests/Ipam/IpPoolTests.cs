using System.Net;
using System.Net.Sockets;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

public sealed class IpPoolTests
{
    private static readonly object[] TooSmallCases =
    [
        new object[] { "10.0.0.0/30", NetworkMode.L2Bridge },
        new object[] { "10.0.0.0/30", NetworkMode.Overlay },
        new object[] { "10.0.0.0/31", NetworkMode.L2Bridge },
        new object[] { "10.0.0.0/31", NetworkMode.Overlay },
        new object[] { "10.0.0.1/32", NetworkMode.L2Bridge },
        new object[] { "10.0.0.1/32", NetworkMode.Overlay },
        new object[] { "fd00::/127", NetworkMode.L2Bridge },
        new object[] { "fd00::1/128", NetworkMode.L2Bridge },
    ];

    private static readonly object[] BadCidrCases =
    [
        new object?[] { null, "empty" },
        new object?[] { "", "empty" },
        new object?[] { "   ", "empty" },
        new object?[] { "10.0.0.0", "no prefix length" },
        new object?[] { "10.0.0.300/24", "is not an IPv4 or IPv6 address" },
        new object?[] { "banana/24", "is not an IPv4 or IPv6 address" },
        new object?[] { "10.0.0.0/33", "must be a number from 0 to 32" },
        new object?[] { "10.0.0.0/-1", "must be a number from 0 to 32" },
        new object?[] { "10.0.0.0/ 24", "must be a number from 0 to 32" },
        new object?[] { "10.0.0.0/", "must be a number from 0 to 32" },
        new object?[] { "fd00::/129", "must be a number from 0 to 128" },
        new object?[] { "10.0.0.5/24", "did you mean 10.0.0.0/24?" },
        new object?[] { "fd00::1/64", "did you mean fd00::/64?" },
        new object?[] { "::ffff:10.0.0.0/120", "IPv4-mapped" },
        new object?[] { "fe80::%eth0/64", "is not an IPv4 or IPv6 address" },
    ];

    [Test]
    public void Create_V4Slash24L2Bridge_ReservesNetworkGatewayHostEndpointAndBroadcast()
    {
        var pool = IpPool.Create("10.244.1.0/24", NetworkMode.L2Bridge);

        Assert.That(pool.Reserved, Is.EqualTo(new[]
        {
            new ReservedAddress(IPAddress.Parse("10.244.1.0"), ReservedAddressKind.Network),
            new ReservedAddress(IPAddress.Parse("10.244.1.1"), ReservedAddressKind.Gateway),
            new ReservedAddress(IPAddress.Parse("10.244.1.2"), ReservedAddressKind.HostEndpoint),
            new ReservedAddress(IPAddress.Parse("10.244.1.255"), ReservedAddressKind.Broadcast),
        }));
        Assert.That(pool.Gateway, Is.EqualTo(IPAddress.Parse("10.244.1.1")));
        Assert.That(pool.HostEndpoint, Is.EqualTo(IPAddress.Parse("10.244.1.2")));
        Assert.That(pool.ServiceSourceVip, Is.Null);
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)252));
        Assert.That(pool.Family, Is.EqualTo(AddressFamily.InterNetwork));
    }

    [Test]
    public void Create_V4Slash24Overlay_ReservesSourceVipAtLastUsableAddress()
    {
        var pool = IpPool.Create("10.244.1.0/24", NetworkMode.Overlay);

        Assert.That(pool.ServiceSourceVip, Is.EqualTo(IPAddress.Parse("10.244.1.254")));
        Assert.That(pool.HostEndpoint, Is.Null);
        Assert.That(pool.Reserved.Select(r => r.Kind), Is.EqualTo(new[]
        {
            ReservedAddressKind.Network, ReservedAddressKind.Gateway, ReservedAddressKind.ServiceSourceVip, ReservedAddressKind.Broadcast,
        }));
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)252));
    }

    [TestCase(NetworkMode.L2Bridge, "10.0.0.3", "10.0.0.6")]
    [TestCase(NetworkMode.Overlay, "10.0.0.2", "10.0.0.5")]
    public void Create_V4Slash29_LeavesFourAssignable(NetworkMode mode, string first, string last)
    {
        var pool = IpPool.Create("10.0.0.0/29", mode);

        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)4));
        Assert.That(pool.ReservationOf(IPAddress.Parse(first)), Is.Null);
        Assert.That(pool.ReservationOf(IPAddress.Parse(last)), Is.Null);
        Assert.That(pool.ReservationOf(IPAddress.Parse("10.0.0.7")), Is.EqualTo(ReservedAddressKind.Broadcast));
    }

    [TestCaseSource(nameof(TooSmallCases))]
    public void Create_NoAddressLeftForPods_ThrowsNamingField(string cidr, NetworkMode mode)
    {
        var ex = Assert.Throws<ArgumentException>(() => IpPool.Create(cidr, mode, "podCIDRs[0]"));

        Assert.That(ex!.ParamName, Is.EqualTo("podCIDRs[0]"));
        Assert.That(ex.Message, Does.StartWith("podCIDRs[0]: ").And.Contain("too small"));
    }

    [Test]
    public void Create_V6Slash64L2Bridge_ReservesAnycastGatewayAndHostEndpointWithoutBroadcast()
    {
        var pool = IpPool.Create("fd00:10:244:1::/64", NetworkMode.L2Bridge);

        Assert.That(pool.Reserved, Is.EqualTo(new[]
        {
            new ReservedAddress(IPAddress.Parse("fd00:10:244:1::"), ReservedAddressKind.Network),
            new ReservedAddress(IPAddress.Parse("fd00:10:244:1::1"), ReservedAddressKind.Gateway),
            new ReservedAddress(IPAddress.Parse("fd00:10:244:1::2"), ReservedAddressKind.HostEndpoint),
        }));
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128.One << 64) - 3));
        Assert.That(pool.Family, Is.EqualTo(AddressFamily.InterNetworkV6));
    }

    [Test]
    public void Create_V6Slash120Overlay_ReservesLastAddressAsSourceVip()
    {
        var pool = IpPool.Create("fd00::/120", NetworkMode.Overlay);

        Assert.That(pool.ServiceSourceVip, Is.EqualTo(IPAddress.Parse("fd00::ff")));
        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)253));
    }

    [Test]
    public void Create_V6Slash126L2Bridge_LeavesOneAssignable()
    {
        var pool = IpPool.Create("fd00::/126", NetworkMode.L2Bridge);

        Assert.That(pool.AssignableCount, Is.EqualTo((UInt128)1));
        Assert.That(pool.ReservationOf(IPAddress.Parse("fd00::3")), Is.Null);
    }

    [TestCaseSource(nameof(BadCidrCases))]
    public void ParseCidr_Malformed_ThrowsNamingField(string? cidr, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => IpPool.ParseCidr(cidr, "podCIDRs[1]"));

        Assert.That(ex!.ParamName, Is.EqualTo("podCIDRs[1]"));
        Assert.That(ex.Message, Does.StartWith("podCIDRs[1]: ").And.Contain(expected));
    }

    [Test]
    public void Contains_AddressesInsideAndOutside_AnswersByCidrAndFamily()
    {
        var pool = IpPool.Create("10.244.1.0/24", NetworkMode.L2Bridge);

        Assert.That(pool.Contains(IPAddress.Parse("10.244.1.77")), Is.True);
        Assert.That(pool.Contains(IPAddress.Parse("10.244.2.1")), Is.False);
        Assert.That(pool.Contains(IPAddress.Parse("::ffff:10.244.1.77")), Is.False);
    }
}
