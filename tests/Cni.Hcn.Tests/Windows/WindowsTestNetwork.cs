using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Model;
using Cni.Hcn.Windows;
using Cni.Hcn.Windows.IpHelper;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// An HCN NAT network made for a test on a real Windows host: HNS gives the host a vNIC (<c>vEthernet (name)</c>)
/// holding the subnet's gateway, so tests get an interface of their own to route out of without touching the host's
/// adapters. Deleted on dispose.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsTestNetwork : IAsyncDisposable
{
    private readonly WindowsHcn _hcn;

    private WindowsTestNetwork(WindowsHcn hcn, HostComputeNetwork network, int interfaceIndex, string subnet24)
    {
        _hcn = hcn;
        Network = network;
        InterfaceIndex = interfaceIndex;
        Subnet24 = subnet24;
    }

    public HostComputeNetwork Network { get; }

    /// <summary>The index of the host vNIC holding the gateway (<c>.1</c>).</summary>
    public int InterfaceIndex { get; }

    /// <summary>The first three octets of the subnet.</summary>
    public string Subnet24 { get; }

    public IPAddress Gateway => IPAddress.Parse(Subnet24 + ".1");

    /// <summary>Creates a NAT network on <c>&lt;subnet24&gt;.0/24</c> and waits (≤ 60 s) for its host vNIC.</summary>
    public static async Task<WindowsTestNetwork> CreateAsync(string subnet24, CancellationToken cancellationToken)
    {
        var hcn = new WindowsHcn();
        var network = await hcn.CreateNetworkAsync(new HostComputeNetwork
        {
            Name = "wincni-test-" + Guid.NewGuid().ToString("N")[..8],
            Type = NetworkType.Nat,
            Ipams =
            [
                new Cni.Hcn.Model.Ipam
                {
                    Type = IpamType.Static,
                    Subnets = [new Subnet { IpAddressPrefix = subnet24 + ".0/24", Routes = [new Route { NextHop = subnet24 + ".1", DestinationPrefix = "0.0.0.0/0" }] }],
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            var routing = new IpHelperHostRouting();
            var gateway = IPAddress.Parse(subnet24 + ".1");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (await routing.FindInterfaceIndexAsync(gateway, cancellationToken).ConfigureAwait(false) is { } index)
                {
                    return new WindowsTestNetwork(hcn, network, index, subnet24);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no host interface holds {gateway} 60 s after creating NAT network {network.Id}"));
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await hcn.DeleteNetworkAsync(network.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await _hcn.DeleteNetworkAsync(Network.Id, CancellationToken.None).ConfigureAwait(false);
}
