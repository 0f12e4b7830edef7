using System.Globalization;
using System.Net;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Kernel.HostRouting;
using Cni.Hcn.Kernel.Tests.Support;
using Cni.Hcn.Tests.HostRouting;

namespace Cni.Hcn.Kernel.Tests.HostRouting;

/// <summary>
/// The host-routing contract, unchanged, against <see cref="NetlinkHostRouting"/> inside a namespace this fixture
/// creates: the test interface is one end of a veth pair there holding 198.51.100.1/24, so routes via 198.51.100.2 resolve on-link.
/// Nothing is configured in the root namespace; the namespace (and every route and link in it) goes in teardown.
/// </summary>
[TestFixture]
[Category("Kernel")]
[NonParallelizable]
public sealed class NetlinkHostRoutingContractTests : HostRoutingContractTests
{
    private TestNetns _netns = null!;
    private string _node = null!;
    private int _index;

    [OneTimeSetUp]
    public void CreateNode()
    {
        KernelTestGuard.Require();
        _netns = new TestNetns();
        _node = _netns.Create("hr");
        _netns.Ip("hr", "link add hr0 type veth peer name hr1");
        _netns.Ip("hr", "link set hr1 up");
        _netns.Ip("hr", "addr add 198.51.100.1/24 dev hr0");
        _netns.Ip("hr", "link set hr0 up");
        _index = int.Parse(_netns.Ip("hr", "-o link show hr0").Split(':')[0].Trim(), CultureInfo.InvariantCulture);
    }

    [OneTimeTearDown]
    public void RemoveNode() => _netns?.Dispose();

    protected override Task<(IHostRouting Routing, TestInterface Interface)> CreateAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IHostRouting, TestInterface)>((new NetlinkHostRouting(_node),
            new TestInterface(_index, IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2"), IPAddress.Parse("198.51.100.3"))));
}
