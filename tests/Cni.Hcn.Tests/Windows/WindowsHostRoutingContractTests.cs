using System.Net;
using System.Runtime.Versioning;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Tests.HostRouting;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The host-routing contract against the real iphlpapi.dll of a Windows host, routing out of the host vNIC of an HCN
/// NAT network the fixture creates (<see cref="WindowsTestNetwork"/>), so no adapter of the host is touched.
/// </summary>
[TestFixture]
[Category("Windows")]
[NonParallelizable]
[SupportedOSPlatform("windows")]
public sealed class WindowsHostRoutingContractTests : HostRoutingContractTests
{
    private WindowsTestNetwork? _network;

    [OneTimeSetUp]
    public async Task CreateNetworkAsync()
    {
        WindowsHostGuard.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _network = await WindowsTestNetwork.CreateAsync("172.31.77", timeout.Token);
    }

    [OneTimeTearDown]
    public async Task DeleteNetworkAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync();
        }
    }

    protected override Task<(IHostRouting Routing, TestInterface Interface)> CreateAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(IHostRouting, TestInterface)>((new IpHelperHostRouting(),
            new TestInterface(_network!.InterfaceIndex, _network.Gateway, IPAddress.Parse(_network.Subnet24 + ".2"), IPAddress.Parse(_network.Subnet24 + ".3"))));
}
