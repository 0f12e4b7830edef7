using System.Net;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.HostRouting;

/// <summary>
/// The host-routing contract on <see cref="IpHelperHostRouting"/> over an emulated iphlpapi.dll
/// (<see cref="EmulatedIpHelperApi"/>): the rows it builds, the tables it reads and the codes it maps, on any OS, and
/// every table freed exactly once.
/// </summary>
[TestFixture]
public sealed class EmulatedIpHelperHostRoutingContractTests : HostRoutingContractTests
{
    private EmulatedIpHelperApi? _api;

    [TearDown]
    public void NoTableLeaks() => Assert.That(_api!.OutstandingTables, Is.Zero, "MIB tables not freed");

    protected override Task<(IHostRouting Routing, TestInterface Interface)> CreateAsync(CancellationToken cancellationToken)
    {
        _api = new EmulatedIpHelperApi();
        _api.AddInterface(12, IPAddress.Parse("198.51.100.1"));
        _api.AddInterface(1, IPAddress.Loopback);
        return Task.FromResult<(IHostRouting, TestInterface)>((new IpHelperHostRouting(_api),
            new TestInterface(12, IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2"), IPAddress.Parse("198.51.100.3"))));
    }
}
