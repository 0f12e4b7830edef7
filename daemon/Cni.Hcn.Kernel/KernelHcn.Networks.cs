using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Kernel;

/// <summary>
/// Networks: a bridge with the gateway address; Overlay adds the VXLAN device and the remote subnets; NAT masquerades
/// its subnets (the network table); Transparent has no bridge, its endpoints are macvlans of the underlay; L2Tunnel is
/// refused.
/// </summary>
public sealed partial class KernelHcn
{
    /// <inheritdoc/>
    public async Task<HostComputeNetwork> CreateNetworkAsync(HostComputeNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Type == NetworkType.L2Tunnel)
        {
            throw L2TunnelRefused(network.Name);
        }

        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // HNS reports the VTEP MAC of an Overlay network as its DrMacAddress policy (flannel publishes it as
            // VtepMAC); KernelHcn picks a deterministic one when the caller gave none.
            // The MAC derives from the network ID (unique per node, unlike the name every node shares) and is then kept
            // in the persisted policy, so it survives restarts.
            var input = network with { Id = network.Id == Guid.Empty ? Guid.NewGuid() : network.Id };
            if (network.Type == NetworkType.Overlay && !(network.Policies ?? []).Any(p => p.Settings is DrMacAddressPolicySetting))
            {
                input = input with
                {
                    Policies = [.. network.Policies ?? [], NetworkPolicy.Create(new DrMacAddressPolicySetting { Address = NetworkLayout.DefaultVtepMac(input.Id.ToString("D")) })],
                };
            }

            CheckAdapters(input);
            if (network.Type == NetworkType.Transparent && network.MacPool is null)
            {
                // Transparent pods show their MACs on the physical network, so every node needs a MAC pool of its own (HNS
                // gives each host one); the emulator's default pool is the same on every node.
                input = input with { MacPool = NetworkLayout.DefaultMacPool(input.Id.ToString("D")) };
            }

            var created = await _objects.CreateNetworkAsync(input, cancellationToken).ConfigureAwait(false);
            try
            {
                RealizeNetwork(created);
                await CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                UnrealizeNetwork(created, []);
                await _objects.DeleteNetworkAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
                throw KernelFailure($"HcnCreateNetwork {created.Name}", ex);
            }

            return created;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <summary>
    /// The network's NetAdapterName policies on this kernel: one names an interface that must exist in the node's
    /// namespace (HNS answers HCN_E_ADAPTER_NOT_FOUND otherwise); several are a Switch Embedded Teaming team, which
    /// needs Hyper-V's switch and is refused (a Linux team is a bond device the node's owner makes; name that one).
    /// </summary>
    private void CheckAdapters(HostComputeNetwork network)
    {
        var adapters = (network.Policies ?? []).Select(p => p.GetSettings<NetAdapterNamePolicySetting>()?.NetworkAdapterName).OfType<string>().ToList();
        var operation = $"HcnCreateNetwork {network.Name}";
        if (adapters.Count > 1)
        {
            throw new Errors.HcnException(operation, Errors.HcnErrorCodes.InvalidPolicy, new Errors.HcnErrorAdvice(
                $"The network names {adapters.Count} adapters ({string.Join(", ", adapters)}), a Switch Embedded Teaming team; the kernel dataplane binds a network to one interface and has no SET.",
                "Give one adapter (adapters: with one entry, or adapterName), e.g. a bond device made on the node for the team."),
                detail: $"NetAdapterName: a team of {adapters.Count} adapters is not supported by the kernel dataplane");
        }

        if (adapters.Count == 1 && _host.GetLink(adapters[0]) is null)
        {
            throw new Errors.HcnException(operation, Errors.HcnErrorCodes.AdapterNotFound, new Errors.HcnErrorAdvice(
                $"No interface named '{adapters[0]}' exists in the node's network namespace.",
                "Name an interface shown by `ip link` on the node, or choose it by mac or subnet in adapters."),
                detail: $"NetAdapterName: no interface '{adapters[0]}'");
        }
    }

    /// <inheritdoc/>
    public Task<HostComputeNetwork> GetNetworkAsync(Guid networkId, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.GetNetworkAsync(networkId, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeNetwork>> EnumerateNetworksAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.EnumerateNetworksAsync(query, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<HostComputeNetwork> ModifyNetworkAsync(Guid networkId, ModifyNetworkSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await _objects.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
            var after = await _objects.ModifyNetworkAsync(networkId, request, cancellationToken).ConfigureAwait(false);
            try
            {
                ApplyRemoteSubnets(NetworkLayout.From(before), NetworkLayout.From(after));
                await CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                // Undo the object change (Add ↔ Remove) and put the kernel back the way it was.
                var inverse = request.RequestType == RequestType.Add ? RequestType.Remove
                    : request.RequestType == RequestType.Remove ? RequestType.Add : (RequestType?)null;
                if (inverse is { } undo && request.ResourceType == NetworkResourceType.Policy && request.GetPolicyRequest()?.Policies is { } changed)
                {
                    await _objects.ModifyNetworkAsync(networkId, ModifyNetworkSettingRequest.ForPolicies(undo, changed), CancellationToken.None).ConfigureAwait(false);
                }

                TryKernel("network", networkId, () => ApplyRemoteSubnets(NetworkLayout.From(after), NetworkLayout.From(before)));
                throw KernelFailure($"HcnModifyNetwork {networkId:D}", ex);
            }

            return after;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteNetworkAsync(Guid networkId, CancellationToken cancellationToken)
    {
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var network = await _objects.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
            var endpoints = await _objects.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(networkId), cancellationToken).ConfigureAwait(false);
            await _objects.DeleteNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
            var remaining = await _objects.EnumerateNetworksAsync(null, CancellationToken.None).ConfigureAwait(false);

            // The objects are gone whatever the kernel says; leftovers are logged and swept by the next reconcile.
            TryKernel("network", networkId, () =>
            {
                foreach (var endpoint in endpoints.Where(e => !IsRemote(e)))
                {
                    _host.DeleteLink(DeviceNames.HostVeth(endpoint.Id));
                    _host.DeleteLink(DeviceNames.PeerVeth(endpoint.Id));
                }

                UnrealizeNetwork(network, remaining);
            });
            await CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <summary>
    /// An L2Tunnel network sends every pod packet to the physical host's virtual switch, whose forwarding only Azure's
    /// host networking (the SDN/VFP agent of an Azure host) provides; the Linux kernel has no counterpart to realize.
    /// </summary>
    internal static HcnException L2TunnelRefused(string? networkName) => new(
        $"HcnCreateNetwork {networkName}",
        HcnErrorCodes.InvalidNetworkType,
        new HcnErrorAdvice(
            "L2Tunnel networks need Azure's host networking (the Azure host's SDN agent forwards every packet of an L2Tunnel network); the kernel dataplane has no equivalent, so it cannot realize one.",
            "Use mode l2tunnel only on Windows nodes in Azure (dataplane hcn); on the kernel dataplane use l2bridge, overlay, nat or transparent."),
        detail: "kernel: network type L2Tunnel is not realized by KernelHcn");

    /// <summary>Creates or adopts the network's bridge (and VXLAN device) and programs its addresses and remote subnets.</summary>
    private void RealizeNetwork(HostComputeNetwork network)
    {
        var layout = NetworkLayout.From(network);
        if (layout.IsTransparent)
        {
            // Nothing on the node but the underlay itself: the pods' gateway is the physical network's router.
            var underlay = FindTransparentUnderlay(layout);
            if (!underlay.IsUp)
            {
                _host.SetLink(underlay.Index, new LinkChange { Up = true });
            }

            return;
        }

        EnsureForwarding(layout.HasIpv6);
        var bridge = _host.GetLink(layout.Bridge);
        if (bridge is null)
        {
            _host.CreateBridge(layout.Bridge);
            bridge = _host.GetLink(layout.Bridge) ?? throw new NetlinkException($"bridge {layout.Bridge} vanished after creation", Interop.Errno.Enodev);
            DisableDad(layout, layout.Bridge);
        }

        // A bridge whose address nobody set takes its lowest port's MAC and changes it as pods come and go; a pod that
        // cached the old gateway MAC then sends frames the bridge no longer takes as its own, and its traffic leaving
        // the node stops until its ARP entry expires (found by the upgrade drill: pods created every 100 ms cut the
        // running pods off). Setting the address, even to the one it has, pins it (the kernel's NET_ADDR_SET), as the
        // reference bridge plugin does (containernetworking/plugins plugins/main/bridge/bridge.go, ensureBridge).
        if (bridge.Mac is { } bridgeMac)
        {
            _host.SetLink(bridge.Index, new LinkChange { Mac = bridgeMac });
        }

        foreach (var subnet in layout.Subnets)
        {
            _host.AddAddress(bridge.Index, subnet.Gateway, subnet.Prefix.PrefixLength);
        }

        if (!bridge.IsUp)
        {
            _host.SetLink(bridge.Index, new LinkChange { Up = true });
        }

        if (!layout.IsOverlay)
        {
            return;
        }

        var vxlan = _host.GetLink(layout.Vxlan!);
        if (vxlan is null)
        {
            var (underlayIndex, underlayMtu) = FindUnderlay(layout.ProviderAddress);
            _host.CreateVxlan(layout.Vxlan!, layout.Vni, layout.VxlanPort, layout.ProviderAddress, underlayIndex, layout.VtepMac,
                underlayMtu - NetworkLayout.VxlanOverhead);
            vxlan = _host.GetLink(layout.Vxlan!) ?? throw new NetlinkException($"vxlan {layout.Vxlan} vanished after creation", Interop.Errno.Enodev);
            DisableDad(layout, layout.Vxlan!);
        }
        else if (vxlan.Kind != "vxlan" || vxlan.VxlanId != layout.Vni || vxlan.VxlanPort != layout.VxlanPort)
        {
            throw new NetlinkException($"link {layout.Vxlan} exists but is not VXLAN VNI {layout.Vni} port {layout.VxlanPort}", Interop.Errno.Eexist);
        }

        // flannel gives the VXLAN device its subnet's network address (/32; IPv6 /128, as flannel's v6 device): the
        // source of node-originated overlay traffic, and the next hop remote nodes route this subnet through.
        foreach (var subnet in layout.Subnets)
        {
            _host.AddAddress(vxlan.Index, subnet.Prefix.BaseAddress, subnet.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
        }

        if (!vxlan.IsUp)
        {
            _host.SetLink(vxlan.Index, new LinkChange { Up = true });
        }

        ApplyRemoteSubnets(null, layout);
    }

    /// <summary>
    /// A new device of a network with an IPv6 subnet gets <c>accept_dad=0</c> before it comes up: its link-local
    /// address is then usable at once. The node solicits neighbours for forwarded packets from that address, so
    /// without this, IPv6 to pods (and, on Overlay, across the VXLAN device) is dropped for the second or two
    /// duplicate address detection takes after a network is created; wincni owns every address on these devices.
    /// Best effort: a kernel without the file (IPv6 off) fails at the addresses instead, with the kernel's reason.
    /// </summary>
    private void DisableDad(NetworkLayout layout, string device)
    {
        if (!layout.HasIpv6)
        {
            return;
        }

        try
        {
            NetnsThread.Run(HostNetnsPath, () => File.WriteAllText($"/proc/sys/net/ipv6/conf/{device}/accept_dad", "0"));
        }
        catch (IOException ex)
        {
            LogRealizeFailed("network", layout.Id, $"accept_dad of {device}: {ex.Message}");
        }
    }

    /// <summary>Removes what only this network used: remote subnets, the VXLAN device when no other network shares its VNI, the bridge.</summary>
    private void UnrealizeNetwork(HostComputeNetwork network, IReadOnlyList<HostComputeNetwork> remaining)
    {
        var layout = NetworkLayout.From(network);
        if (layout.IsTransparent)
        {
            // The underlay is the node's, never wincni's to delete.
            return;
        }

        if (layout.IsOverlay)
        {
            var shared = remaining.Any(n => n.Id != network.Id && NetworkLayout.From(n) is { IsOverlay: true } other && other.Vxlan == layout.Vxlan);
            if (shared)
            {
                ApplyRemoteSubnets(layout, null);
            }
            else
            {
                _host.DeleteLink(layout.Vxlan!);
            }
        }

        if (!remaining.Any(n => n.Id != network.Id && NetworkLayout.From(n).Bridge == layout.Bridge))
        {
            _host.DeleteLink(layout.Bridge);
        }
    }

    /// <summary>Moves the kernel from the remote subnets of <paramref name="before"/> to those of <paramref name="after"/>.</summary>
    private void ApplyRemoteSubnets(NetworkLayout? before, NetworkLayout? after)
    {
        var name = after?.Vxlan ?? before?.Vxlan;
        if (name is null || _host.GetLink(name) is not { } vxlan)
        {
            return;
        }

        var old = before?.RemoteSubnets ?? [];
        var wanted = after?.RemoteSubnets ?? [];
        foreach (var gone in old.Where(o => !wanted.Contains(o)))
        {
            _host.DeleteRoute(new RouteSpec(gone.Prefix, gone.NextHop, vxlan.Index, OnLink: true));
            if (!wanted.Any(w => w.NextHop.Equals(gone.NextHop)))
            {
                _host.DeleteNeighbor(vxlan.Index, gone.NextHop);
            }

            if (gone.Mac is not null && !wanted.Any(w => gone.Mac.Equals(w.Mac) && w.Provider.Equals(gone.Provider)))
            {
                _host.DeleteFdb(vxlan.Index, gone.Mac, gone.Provider);
            }
        }

        foreach (var remote in wanted)
        {
            if (remote.Mac is not null)
            {
                _host.ReplaceFdb(vxlan.Index, remote.Mac, remote.Provider);
                _host.ReplaceNeighbor(vxlan.Index, remote.NextHop, remote.Mac);
            }

            _host.ReplaceRoute(new RouteSpec(remote.Prefix, remote.NextHop, vxlan.Index, OnLink: true));
        }
    }

    /// <summary>The link holding <paramref name="providerAddress"/> and its MTU, else no link and the configured MTU.</summary>
    private (int Index, int Mtu) FindUnderlay(IPAddress? providerAddress)
    {
        if (providerAddress is not null)
        {
            foreach (var (index, address, _) in _host.ListAddresses())
            {
                if (address.Equals(providerAddress) && _host.GetLink(index) is { Mtu: > 0 } link)
                {
                    return (index, link.Mtu);
                }
            }
        }

        return (0, _options.UnderlayMtu);
    }

    /// <summary>
    /// Transparent: the underlay the endpoints' macvlans hang off: the link the NetAdapterName policy names, else the
    /// link of the node's IPv4 default route (HNS binds a Transparent network without an adapter name to the first
    /// suitable adapter).
    /// </summary>
    private LinkInfo FindTransparentUnderlay(NetworkLayout layout)
    {
        if (layout.Underlay is { } name)
        {
            return _host.GetLink(name)
                ?? throw new NetlinkException($"underlay interface {name} of Transparent network {layout.Id:D} (its NetAdapterName policy) does not exist", Interop.Errno.Enodev);
        }

        var defaultRoute = _host.ListRoutes().FirstOrDefault(r => r.Destination.PrefixLength == 0 && r.OutputIndex > 0);
        return (defaultRoute is null ? null : _host.GetLink(defaultRoute.OutputIndex))
            ?? throw new NetlinkException($"Transparent network {layout.Id:D} names no adapter (NetAdapterName) and the node has no IPv4 default route to find one by", Interop.Errno.Enodev);
    }

    /// <summary>The MTU of a network's pod interfaces: the VXLAN device's for Overlay, the underlay's for Transparent, else the configured underlay MTU.</summary>
    private int NetworkMtu(NetworkLayout layout)
    {
        if (layout.IsTransparent && FindTransparentUnderlay(layout) is { Mtu: > 0 } underlay)
        {
            return underlay.Mtu;
        }

        if (layout.IsOverlay && _host.GetLink(layout.Vxlan!) is { Mtu: > 0 } vxlan)
        {
            return vxlan.Mtu;
        }

        return layout.IsOverlay ? _options.UnderlayMtu - NetworkLayout.VxlanOverhead : _options.UnderlayMtu;
    }

    /// <summary>Runs a kernel change whose failure must not fail the call (cleanup, undo); the failure is logged.</summary>
    private void TryKernel(string kind, Guid id, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (IsKernelFailure(ex))
        {
            LogRealizeFailed(kind, id, ex.Message);
        }
    }
}
