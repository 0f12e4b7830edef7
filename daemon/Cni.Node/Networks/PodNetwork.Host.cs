using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Errors;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Versioning;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Networks;

/// <summary>
/// The host side of the bootstrap, in flannel's order (pkg/backend/vxlan/device_windows.go and vxlan_windows.go for
/// Overlay, pkg/backend/hostgw/hostgw_windows.go for L2Bridge): wait for what HNS adds after the create, add HostRoute
/// where it is missing (a failure only logged), make the L2Bridge host endpoint, wait for the host interfaces, and on
/// L2Bridge turn IP forwarding on where the pods' traffic enters the host.
/// </summary>
public sealed partial class PodNetwork
{
    /// <summary>The features of this HNS, read once it answers (an unreadable version is asked again next time).</summary>
    private async Task<HcnFeatures> FeaturesAsync(CancellationToken cancellationToken)
    {
        if (_features is { } known)
        {
            return known;
        }

        var features = await _hcn.GetFeaturesAsync(cancellationToken).ConfigureAwait(false);
        if (features.Version is not null)
        {
            _features = features;
        }

        return features;
    }

    private async Task<PreparedHost> PrepareHostAsync(HostComputeNetwork network, NodeAddressing node, HcnFeatures features, CancellationToken cancellationToken)
    {
        IPAddress? management;
        if (_options.Mode == NetworkMode.Overlay)
        {
            // HNS adds the ProviderAddress to an Overlay network some time after the create; flannel polls for it.
            var withAddress = await PollAsync(
                async ct =>
                {
                    var current = await _hcn.GetNetworkAsync(network.Id, ct).ConfigureAwait(false);
                    return ProviderAddressOf(current) is null ? null : current;
                },
                _waits.ProviderAddressTimeout,
                cancellationToken).ConfigureAwait(false);
            if (withAddress is null)
            {
                return new PreparedHost(network, null, NodeNetworkProblem.HostInterfaceMissing, string.Create(CultureInfo.InvariantCulture,
                    $"HCN network '{_options.NetworkName}' ({network.Id}) has no ProviderAddress {_waits.ProviderAddressTimeout.TotalSeconds:0.#} s after it was made; HNS adds it once the vSwitch is bound to the adapter (adapterName), wincnid looks again"));
            }

            network = withAddress;
            management = ProviderAddressOf(network);
            if (node.NodeIp is { } nodeIp && management is not null && !nodeIp.Equals(management))
            {
                Log.ProviderAddressIsNotNodeIp(_logger, _options.NetworkName, management.ToString(), nodeIp.ToString());
            }

            network = await EnsureHostRouteAsync(network, features, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await EnsureHostEndpointAsync(network, node, cancellationToken).ConfigureAwait(false);

            // v2 has no ManagementIP member: the vNIC takes over the adapter's address, which is the node IP flannel's
            // host-gw also uses (it refuses a public IP other than the interface's). A ProviderAddress, if HNS reports
            // one, is taken first.
            management = ProviderAddressOf(network) ?? node.NodeIp;
        }

        if (_hostRouting is null)
        {
            return new PreparedHost(network, null, NodeNetworkProblem.None, null);
        }

        if (management is null)
        {
            return new PreparedHost(network, null, NodeNetworkProblem.ConfigInvalid, "nodeIP: the node's address is not known, so the host interface of the network cannot be found; set nodeIP in the node config");
        }

        var managementIndex = await WaitForInterfaceAsync(management, cancellationToken).ConfigureAwait(false);
        if (managementIndex is null)
        {
            return new PreparedHost(network, null, NodeNetworkProblem.HostInterfaceMissing, InterfaceMissing(management, "the network's management vNIC"));
        }

        var hostEndpointIndexes = new List<int>();
        if (_options.Mode == NetworkMode.L2Bridge)
        {
            foreach (var address in HostEndpointAddresses(node))
            {
                if (await WaitForInterfaceAsync(address, cancellationToken).ConfigureAwait(false) is not { } index)
                {
                    return new PreparedHost(network, null, NodeNetworkProblem.HostInterfaceMissing, InterfaceMissing(address, $"the host endpoint {EndpointNames.HostEndpointFor(_options.NetworkName)}"));
                }

                // The pods' gateway is .2 and the peers' routes leave by the management vNIC: both must forward
                // (flannel: EnableForwardingForInterface on the ManagementIP's and the bridge endpoint's interfaces).
                await EnableForwardingAsync(index, address.AddressFamily, cancellationToken).ConfigureAwait(false);
                await EnableForwardingAsync(managementIndex.Value, address.AddressFamily, cancellationToken).ConfigureAwait(false);
                hostEndpointIndexes.Add(index);
            }
        }

        return new PreparedHost(network, new HostInterfaces(management, managementIndex.Value, hostEndpointIndexes), NodeNetworkProblem.None, null);
    }

    /// <summary>
    /// Overlay: a network without the HostRoute policy gets it by a modify (host ↔ local pod traffic), as flannel does
    /// after the create; HNS before 9.2 has no such policy, and a refusal is only logged (flannel: "requires Windows
    /// 18321.1000 or newer").
    /// </summary>
    private async Task<HostComputeNetwork> EnsureHostRouteAsync(HostComputeNetwork network, HcnFeatures features, CancellationToken cancellationToken)
    {
        if ((network.Policies ?? []).Any(p => p.Type == NetworkPolicyType.HostRoute))
        {
            return network;
        }

        if (!features.HostRoute)
        {
            Log.HostRouteSkipped(_logger, _options.NetworkName, features.VersionText, HcnFeatures.RequiredVersion(HcnFeature.HostRoute));
            return network;
        }

        try
        {
            return await _hcn.AddNetworkPoliciesAsync(network.Id, [NetworkPolicy.Create(new HostRoutePolicySetting())], cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (!ex.IsNotFound)
        {
            Log.HostRouteRefused(_logger, ex, _options.NetworkName);
            return network;
        }
    }

    private async Task EnableForwardingAsync(int index, AddressFamily family, CancellationToken cancellationToken)
    {
        if (!await _hostRouting!.GetForwardingAsync(index, family, cancellationToken).ConfigureAwait(false))
        {
            await _hostRouting.SetForwardingAsync(index, family, true, cancellationToken).ConfigureAwait(false);
            Log.ForwardingEnabled(_logger, index, family.ToString());
        }
    }

    private Task<int?> WaitForInterfaceAsync(IPAddress address, CancellationToken cancellationToken) =>
        PollAsync(ct => _hostRouting!.FindInterfaceIndexAsync(address, ct), _waits.InterfaceTimeout, cancellationToken);

    private string InterfaceMissing(IPAddress address, string what) => string.Create(CultureInfo.InvariantCulture,
        $"no host interface holds {address} ({what}) {_waits.InterfaceTimeout.TotalSeconds:0.#} s after the network was ensured; HNS makes it once the vSwitch is up, wincnid looks again");

    private IEnumerable<IPAddress> HostEndpointAddresses(NodeAddressing node) =>
        node.PodCidrs
            .Select((cidr, i) => IpPool.Create(cidr.ToString(), NetworkMode.L2Bridge, string.Create(CultureInfo.InvariantCulture, $"podCIDRs[{i}]")))
            .Select(pool => pool.HostEndpoint!);

    /// <summary>Runs <paramref name="probe"/> until it answers non-null or <paramref name="timeout"/> passes (then null).</summary>
    private async Task<T?> PollAsync<T>(Func<CancellationToken, Task<T?>> probe, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            if (await probe(cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                return default;
            }

            await Task.Delay(_waits.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IPAddress? ProviderAddressOf(HostComputeNetwork network) =>
        (network.Policies ?? [])
            .Select(p => p.GetSettings<ProviderAddressPolicySetting>()?.ProviderAddress)
            .Select(text => IPAddress.TryParse(text, out var address) ? address : null)
            .FirstOrDefault(a => a is not null);

    private sealed record PreparedHost(HostComputeNetwork Network, HostInterfaces? Host, NodeNetworkProblem Problem, string? NotReadyReason);
}
