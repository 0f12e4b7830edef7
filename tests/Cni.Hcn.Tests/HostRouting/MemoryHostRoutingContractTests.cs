using System.Net;
using Cni.Hcn.HostRouting;

namespace Cni.Hcn.Tests.HostRouting;

/// <summary>The host-routing contract on the emulator Cni.Node's tests and the memory dataplane use.</summary>
[TestFixture]
public sealed class MemoryHostRoutingContractTests : HostRoutingContractTests
{
    protected override Task<(IHostRouting Routing, TestInterface Interface)> CreateAsync(CancellationToken cancellationToken)
    {
        var routing = new MemoryHostRouting();
        routing.AddInterface(7, IPAddress.Parse("198.51.100.1"));
        return Task.FromResult<(IHostRouting, TestInterface)>((routing, new TestInterface(7, IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2"), IPAddress.Parse("198.51.100.3"))));
    }
}
