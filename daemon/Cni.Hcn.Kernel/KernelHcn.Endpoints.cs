using System.Net;
using System.Net.Sockets;
using Cni.Hcn.Kernel.Interop;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Model.Requests;

namespace Cni.Hcn.Kernel;

/// <summary>
/// Endpoints: a veth pair, host side on the network's bridge, container side configured on attach; on a Transparent
/// network a bridge-mode macvlan of the underlay instead, which has no node side.
/// </summary>
public sealed partial class KernelHcn
{
    /// <inheritdoc/>
    public async Task<HostComputeEndpoint> CreateEndpointAsync(Guid networkId, HostComputeEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);

        // The ID is chosen here (as the object layer would) so the endpoint is locked before anyone can see it.
        var input = endpoint.Id == Guid.Empty ? endpoint with { Id = Guid.NewGuid() } : endpoint;
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var started = TimeProvider.System.GetTimestamp();
        var held = await EnterSharedAsync([input.Id], cancellationToken).ConfigureAwait(false);
        var entered = TimeProvider.System.GetTimestamp();
        try
        {
            var created = await _objects.CreateEndpointAsync(networkId, input, cancellationToken).ConfigureAwait(false);
            try
            {
                // The veth is made on attach (AttachEndpoint), directly into the pod's namespace; here only the
                // network's bridge must be there for it.
                if (!IsRemote(created))
                {
                    var network = NetworkLayout.From(await _objects.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false));
                    _ = network.IsTransparent
                        ? FindTransparentUnderlay(network)
                        : _host.GetLink(network.Bridge)
                        ?? throw new NetlinkException($"bridge {network.Bridge} of network {network.Id:D} is missing", Errno.Enodev);
                }

                // A remote endpoint is only a backend address: no network table holds it and no load balancer can
                // refer to an endpoint that did not exist, so nftables is left alone (a full render costs
                // hundreds of milliseconds with tens of thousands of load balancers).
                // A new endpoint is no load balancer's backend yet: the services table stays as it is.
                await CommitAsync(cancellationToken, nftables: !IsRemote(created), servicesUnaffected: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                TryKernel("endpoint", created.Id, () => _host.DeleteLink(DeviceNames.HostVeth(created.Id)));
                await _objects.DeleteEndpointAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
                throw KernelFailure($"HcnCreateEndpoint {created.Name} on network {networkId:D}", ex);
            }

            return created;
        }
        finally
        {
            held.Dispose();
            Timed("HcnCreateEndpoint", input.Id, started, entered);
        }
    }

    /// <inheritdoc/>
    public Task<HostComputeEndpoint> GetEndpointAsync(Guid endpointId, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.GetEndpointAsync(endpointId, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<HostComputeEndpoint>> EnumerateEndpointsAsync(HostComputeQuery? query, CancellationToken cancellationToken) =>
        ReadAsync(() => _objects.EnumerateEndpointsAsync(query, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<HostComputeEndpoint> ModifyEndpointAsync(Guid endpointId, ModifyEndpointSettingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var held = await EnterSharedAsync([endpointId], cancellationToken).ConfigureAwait(false);
        try
        {
            var before = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
            var after = await _objects.ModifyEndpointAsync(endpointId, request, cancellationToken).ConfigureAwait(false);
            try
            {
                // Policies (OutBoundNAT, PortMapping) live in the network tables, which the commit re-renders; no
                // load balancer reads an endpoint's policies.
                await CommitAsync(cancellationToken, servicesUnaffected: true).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                await _objects.ModifyEndpointAsync(endpointId, ModifyEndpointSettingRequest.ForPolicies(RequestType.Update, before.Policies ?? []), CancellationToken.None)
                    .ConfigureAwait(false);
                var added = (after.Policies ?? []).Where(p => !(before.Policies ?? []).Any(b => b.Type == p.Type)).ToList();
                if (added.Count > 0)
                {
                    await _objects.ModifyEndpointAsync(endpointId, ModifyEndpointSettingRequest.ForPolicies(RequestType.Remove, added), CancellationToken.None)
                        .ConfigureAwait(false);
                }

                throw KernelFailure($"HcnModifyEndpoint {endpointId:D}", ex);
            }

            return after;
        }
        finally
        {
            held.Dispose();
        }
    }

    /// <inheritdoc/>
    public async Task DeleteEndpointAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        // Until this change is real in the kernel, the objects it changes are not written by other commits.
        using var changes = _store.HoldBack();
        var started = TimeProvider.System.GetTimestamp();
        var held = await EnterSharedAsync([endpointId], cancellationToken).ConfigureAwait(false);
        var entered = TimeProvider.System.GetTimestamp();
        try
        {
            var endpoint = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
            await _objects.DeleteEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);

            // The pair goes down now (the pod has no network from here on) and is deleted in the background: the
            // kernel's unregister barrier is most of a DEL and nobody needs to wait for it. Either side takes the
            // other with it, wherever that is (veth pairs die together).
            TryKernel("endpoint", endpointId, () =>
            {
                if (!IsRemote(endpoint)
                    && (_host.GetLink(DeviceNames.HostVeth(endpointId)) ?? _host.GetLink(DeviceNames.PeerVeth(endpointId))) is { } link)
                {
                    _reaper.Retire(_host, link.Index);
                }
            });
            if (IsRemote(endpoint))
            {
                // A remote endpoint is in no network table; only the load balancers it was a backend of change (the
                // object layer dropped it from them), so only they are rendered again, not the whole services table.
                await CommitAsync(CancellationToken.None, nftables: false, loadBalancers: _store.HeldLoadBalancers()).ConfigureAwait(false);
            }
            else
            {
                // The network tables lose the endpoint; of the services table only the load balancers it was a
                // backend of change (the object layer dropped it from them and marked them).
                await CommitAsync(CancellationToken.None, loadBalancers: _store.HeldLoadBalancers(), servicesUnaffected: true).ConfigureAwait(false);
            }
        }
        finally
        {
            held.Dispose();
            Timed("HcnDeleteEndpoint", endpointId, started, entered);
        }
    }

    /// <summary>Creates (or adopts) the veth pair of a local endpoint, host side up on the bridge.</summary>
    private void RealizeEndpoint(HostComputeEndpoint endpoint, NetworkLayout network)
    {
        var hostName = DeviceNames.HostVeth(endpoint.Id);
        var host = _host.GetLink(hostName);
        if (host is null)
        {
            _host.CreateVeth(hostName, DeviceNames.PeerVeth(endpoint.Id), EndpointMtu(endpoint, network), NetworkLayout.ParseMac(endpoint.MacAddress));
            host = _host.GetLink(hostName) ?? throw new NetlinkException($"veth {hostName} vanished after creation", Errno.Enodev);
        }

        var bridge = _host.GetLink(network.Bridge) ?? throw new NetlinkException($"bridge {network.Bridge} of network {network.Id:D} is missing", Errno.Enodev);
        if (host.MasterIndex != bridge.Index || !host.IsUp)
        {
            _host.SetLink(host.Index, new LinkChange { MasterIndex = bridge.Index, Up = true });
        }

        // Also for adopted ports (made before hairpin mode was set): a pod must reach itself through a service.
        _host.SetBridgePortHairpin(hostName);
    }

    /// <summary>
    /// Makes the endpoint's interface exist in the namespace as the endpoint says, from whatever state the kernel is in:
    /// a pair whose container side waits in the host is moved in; a pair whose container side is nowhere to be found
    /// (a namespace that went, a crash between steps) is deleted and made again; no pair at all is made with its
    /// container side born in the namespace. Then the interface is configured (name, MAC, MTU, up, addresses,
    /// routes), which changes only what differs. Used by attach, by start-up and by <see cref="RepairAsync"/>.
    /// </summary>
    private void AttachEndpoint(HostComputeEndpoint endpoint, NamespaceBinding binding, NetworkLayout network)
    {
        if (IsRemote(endpoint))
        {
            return;
        }

        if (binding.IsHost && network.IsTransparent)
        {
            throw new NetlinkException(
                $"endpoint {endpoint.Id:D} of Transparent network {network.Id:D} cannot be attached to the node's own namespace: a macvlan cannot talk to its lower device's host, so KernelHcn makes no host vNIC on Transparent networks",
                Errno.Eopnotsupp);
        }

        if (binding.IsHost)
        {
            // HNS's host vNIC: the container side stays in the node namespace and holds the endpoint's addresses
            // there, so pods reach the host endpoint (the L2Bridge pods' gateway, .2). /32: the bridge routes the subnet.
            RealizeEndpoint(endpoint, network);
            ConfigureHostVnic(endpoint);
            return;
        }

        EnsureNamespaceExists(binding);
        using var pod = NetnsThread.Run(binding.Path, RtnetlinkClient.Open);
        if (network.IsTransparent)
        {
            AttachMacvlan(pod, endpoint, binding, network);
            try
            {
                ConfigureInPod(pod, endpoint, network);
            }
            catch (Exception ex) when (IsKernelFailure(ex))
            {
                TryKernel("endpoint", endpoint.Id, () => MoveBackToHost(pod, endpoint));
                throw;
            }

            return;
        }

        var host = _host.GetLink(DeviceNames.HostVeth(endpoint.Id));
        if (host is not null)
        {
            if (_host.GetLink(DeviceNames.PeerVeth(endpoint.Id)) is { } waiting)
            {
                var fd = NetnsThread.Open(binding.Path);
                try
                {
                    _host.SetLink(waiting.Index, new LinkChange { Up = false, NetnsFd = fd });
                }
                finally
                {
                    Libc.Close(fd);
                }
            }
            else if (FindInPod(pod, endpoint, host) is null)
            {
                // Its container side is in no namespace KernelHcn knows of: the pair is of no use; make it again.
                _host.DeleteLink(host.Index);
                host = null;
            }
        }

        if (host is null)
        {
            CreateIntoNamespace(pod, endpoint, binding, network);
        }
        else
        {
            // The node side: a port of the bridge, up, hairpin (adopted as it is when it already is).
            RealizeEndpoint(endpoint, network);
        }

        try
        {
            ConfigureInPod(pod, endpoint, network);
        }
        catch (Exception ex) when (IsKernelFailure(ex))
        {
            // Put the container side back where attach found it, so a retry starts clean.
            TryKernel("endpoint", endpoint.Id, () => MoveBackToHost(pod, endpoint));
            throw;
        }
    }

    /// <summary>
    /// Transparent: makes the endpoint's macvlan exist in the pod. One the node holds (detached earlier, under its
    /// host-side name) is moved in; one already in the pod under its name with the endpoint's MAC is kept; otherwise a
    /// bridge-mode macvlan of the underlay is born in the pod under its final name, MAC and MTU (as the reference
    /// macvlan plugin makes it: containernetworking/plugins plugins/main/macvlan/macvlan.go, mode bridge). Bridge mode
    /// lets pods of one node reach each other without leaving the node; the physical network sees each pod's own MAC
    /// and address, as a Hyper-V external vSwitch port does for a Transparent endpoint.
    /// </summary>
    private void AttachMacvlan(RtnetlinkClient pod, HostComputeEndpoint endpoint, NamespaceBinding binding, NetworkLayout network)
    {
        var waiting = _host.GetLink(DeviceNames.PeerVeth(endpoint.Id));
        if (waiting is null && FindInPod(pod, endpoint, null) is not null)
        {
            return;
        }

        var fd = NetnsThread.Open(binding.Path);
        try
        {
            if (waiting is not null)
            {
                _host.SetLink(waiting.Index, new LinkChange { Up = false, NetnsFd = fd });
                return;
            }

            var underlay = FindTransparentUnderlay(network);
            var name = InterfaceName(endpoint);
            try
            {
                _host.CreateMacvlanInto(name, underlay.Index, fd, EndpointMtu(endpoint, network), NetworkLayout.ParseMac(endpoint.MacAddress));
            }
            catch (NetlinkException ex) when (ex.IsAlreadyExists)
            {
                var holder = pod.GetLink(name);
                throw new NetlinkException($"interface {name} already exists in network namespace {binding.Path}: it is a {holder?.Kind ?? "device"} wincni does not own", Errno.Eexist);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>A namespace KernelHcn made is made again when its netns is gone; a runtime's cannot be (its sandbox is gone).</summary>
    private static void EnsureNamespaceExists(NamespaceBinding binding)
    {
        if (File.Exists(binding.Path))
        {
            return;
        }

        if (!binding.Owned)
        {
            throw new NetnsException($"network namespace {binding.Path} does not exist (the pod sandbox is gone)", Errno.Enoent);
        }

        NetnsFiles.Create(binding.Path);
        NetnsThread.Run(binding.Path, () =>
        {
            using var pod = RtnetlinkClient.Open();
            if (pod.GetLink("lo") is { } lo)
            {
                pod.SetLink(lo.Index, new LinkChange { Up = true });
            }
        });
    }

    /// <summary>
    /// The endpoint's container side inside the pod: under its host-side name (moved in, not yet renamed), or under
    /// its interface name when that link is the peer of <paramref name="host"/> (or, without a host side to compare,
    /// has the endpoint's MAC).
    /// </summary>
    private LinkInfo? FindInPod(RtnetlinkClient pod, HostComputeEndpoint endpoint, LinkInfo? host)
    {
        if (pod.GetLink(DeviceNames.PeerVeth(endpoint.Id)) is { } moved)
        {
            return moved;
        }

        if (pod.GetLink(InterfaceName(endpoint)) is not { } named)
        {
            return null;
        }

        if (host is not null)
        {
            return named.LinkIndex == host.Index && string.Equals(named.Kind, "veth", StringComparison.Ordinal) ? named : null;
        }

        var mac = NetworkLayout.ParseMac(endpoint.MacAddress);
        return mac is null || mac.Equals(named.Mac) ? named : null;
    }

    /// <summary>
    /// Creates the endpoint's veth pair with the container side born in the pod's namespace under its final name, MAC
    /// and MTU (what the reference bridge plugin does): moving a device between namespaces costs a network-wide
    /// synchronization, creating it there does not. A name held by a stale wincni veth (retired, or left by a crash
    /// with no endpoint behind it) is freed first; a name held by anything else is an error naming the holder. When the
    /// kernel refuses otherwise, the pair is made in the host instead, so the endpoint stays detached with its veth as
    /// after a failed move.
    /// </summary>
    private void CreateIntoNamespace(RtnetlinkClient pod, HostComputeEndpoint endpoint, NamespaceBinding binding, NetworkLayout network)
    {
        var bridge = _host.GetLink(network.Bridge) ?? throw new NetlinkException($"bridge {network.Bridge} of network {network.Id:D} is missing", Errno.Enodev);
        var fd = NetnsThread.Open(binding.Path);
        try
        {
            try
            {
                CreateIntoNamespaceOnce(endpoint, bridge, fd, network);
            }
            catch (NetlinkException ex) when (ex.IsAlreadyExists)
            {
                FreeInterfaceName(pod, endpoint, binding);
                CreateIntoNamespaceOnce(endpoint, bridge, fd, network);
            }
        }
        catch (NetlinkException)
        {
            TryKernel("endpoint", endpoint.Id, () => RealizeEndpoint(endpoint, network));
            throw;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// The endpoint's interface name is taken in the pod (EEXIST): frees it when the holder is a stale wincni veth (one
    /// retired by a DEL and not yet reaped, or a pair no endpoint owns any more, e.g. left by a crash); otherwise throws
    /// naming the holder, which is a real conflict (two attachments with one CNI_IFNAME, or a device of someone else).
    /// </summary>
    private void FreeInterfaceName(RtnetlinkClient pod, HostComputeEndpoint endpoint, NamespaceBinding binding)
    {
        var name = InterfaceName(endpoint);
        _reaper.ReapNow();
        if (pod.GetLink(name) is not { } holder)
        {
            return; // reaped (now or by the background reaper meanwhile)
        }

        var owners = _objects.PeekAll().Endpoints.Where(e => !IsRemote(e)).ToDictionary(e => DeviceNames.HostVeth(e.Id), e => e, StringComparer.Ordinal);
        var peer = string.Equals(holder.Kind, "veth", StringComparison.Ordinal) && holder.LinkIndex > 0 ? _host.GetLink(holder.LinkIndex) : null;
        if (peer is not null && DeviceNames.IsHostVeth(peer.Name) && (!owners.TryGetValue(peer.Name, out var owner) || owner.Id == endpoint.Id))
        {
            // A wincni pair that no endpoint owns: what a crash between the kernel and the records leaves behind.
            LogStaleInterfaceFreed(name, binding.Path, peer.Name);
            _host.DeleteLink(peer.Index);
            return;
        }

        var holderText = peer is not null && owners.TryGetValue(peer.Name, out var other)
            ? $"the interface of endpoint {other.Id:D} ({other.Name})"
            : $"a {holder.Kind ?? "device"} wincni does not own";
        throw new NetlinkException($"interface {name} already exists in network namespace {binding.Path}: it is {holderText}", Errno.Eexist);
    }

    private void CreateIntoNamespaceOnce(HostComputeEndpoint endpoint, LinkInfo bridge, int netnsFd, NetworkLayout network)
    {
        var hostName = DeviceNames.HostVeth(endpoint.Id);
        _host.CreateVethInto(hostName, bridge.Index, InterfaceName(endpoint), netnsFd, EndpointMtu(endpoint, network),
            NetworkLayout.ParseMac(endpoint.MacAddress));

        // Not settable in the creating request (the port's bridge options apply only once it is a port).
        _host.SetBridgePortHairpin(hostName);
    }

    private void ConfigureHostVnic(HostComputeEndpoint endpoint)
    {
        if (_host.GetLink(DeviceNames.PeerVeth(endpoint.Id)) is not { } link)
        {
            return;
        }

        _host.SetLink(link.Index, new LinkChange { Up = true });
        foreach (var ip in AddressesOf(endpoint))
        {
            _host.AddAddress(link.Index, ip, ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
        }
    }

    /// <summary>Configures the container side in the pod; only what differs from the endpoint is changed.</summary>
    private void ConfigureInPod(RtnetlinkClient pod, HostComputeEndpoint endpoint, NetworkLayout network)
    {
        var name = InterfaceName(endpoint);
        var mac = NetworkLayout.ParseMac(endpoint.MacAddress);
        var link = FindInPod(pod, endpoint, _host.GetLink(DeviceNames.HostVeth(endpoint.Id)))
            ?? throw new NetlinkException($"the container side of endpoint {endpoint.Id:D} is neither in the host nor in the namespace", Errno.Enodev);
        if (link.Name != name)
        {
            pod.SetLink(link.Index, new LinkChange { Name = name });
        }

        var mtu = EndpointMtu(endpoint, network);
        if (!link.IsUp || link.Mtu != mtu || (mac is not null && !mac.Equals(link.Mac)))
        {
            pod.SetLink(link.Index, new LinkChange
            {
                Up = true,
                Mtu = link.Mtu != mtu ? mtu : null,
                Mac = mac is not null && !mac.Equals(link.Mac) ? mac : null,
            });
        }

        if (pod.GetLink("lo") is { IsUp: false } lo)
        {
            pod.SetLink(lo.Index, new LinkChange { Up = true });
        }

        foreach (var (ip, length) in PodAddresses(endpoint, network))
        {
            pod.AddAddress(link.Index, ip, length);
        }

        // Routes to the same destination through another interface of the pod (its first attachment's default
        // route, say) are kept: this interface's route is added beside them, never in their place.
        var wanted = PodRoutes(endpoint, network).Select(r => r with { OutputIndex = link.Index }).ToList();
        var existing = pod.ListRoutes();
        if (wanted.Any(r => r.Destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
        {
            existing.AddRange(pod.ListRoutes(Rtnl.AfInet6));
        }

        foreach (var route in wanted)
        {
            if (existing.Any(r => r.OutputIndex == link.Index && r.Destination.Equals(route.Destination) && Equals(r.Gateway, route.Gateway)))
            {
                continue;
            }

            if (existing.Any(r => r.OutputIndex == link.Index && r.Destination.Equals(route.Destination)))
            {
                pod.ReplaceRoute(route);
            }
            else
            {
                pod.AppendRoute(route);
            }
        }
    }

    /// <summary>The endpoint's IPv4 and IPv6 addresses with the prefix length they get in the pod (the config's, else the subnet's).</summary>
    private static List<(IPAddress Address, int PrefixLength)> PodAddresses(HostComputeEndpoint endpoint, NetworkLayout network)
    {
        var result = new List<(IPAddress, int)>();
        foreach (var config in endpoint.IpConfigurations ?? [])
        {
            if (IPAddress.TryParse(config.IpAddress ?? string.Empty, out var ip) && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                var subnet = network.Subnets.FirstOrDefault(s => s.Prefix.Contains(ip));
                result.Add((ip, config.PrefixLength != 0 ? config.PrefixLength : subnet?.Prefix.PrefixLength ?? (ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)));
            }
        }

        return result;
    }

    /// <summary>Takes the container side out of the namespace back to the host (down, under its host-side name).</summary>
    private void DetachEndpoint(HostComputeEndpoint endpoint, NamespaceBinding binding)
    {
        if (binding.IsHost && !IsRemote(endpoint) && _host.GetLink(DeviceNames.PeerVeth(endpoint.Id)) is { } vnic)
        {
            // Down takes the host vNIC's addresses out of the node's routing.
            _host.SetLink(vnic.Index, new LinkChange { Up = false });
            return;
        }

        if (binding.IsHost || IsRemote(endpoint) || !File.Exists(binding.Path))
        {
            return;
        }

        using var pod = NetnsThread.Run(binding.Path, RtnetlinkClient.Open);
        var host = _host.GetLink(DeviceNames.HostVeth(endpoint.Id));
        if (host is null)
        {
            // A macvlan (Transparent) has no node side to delete it by: it waits in the node namespace.
            MoveBackToHost(pod, endpoint);
            return;
        }

        // A veth's container side is left in the pod's namespace, down and under its waiting name: moving a device
        // between namespaces waits for the kernel's network-wide synchronization (15-50 ms here), which made most of
        // a CNI DEL (detach, then delete), and the delete that follows takes both sides with the node side anyway. An
        // attach to another namespace finds no container side there and makes the pair again; one to the same
        // namespace finds it.
        if (FindInPod(pod, endpoint, host) is { } link)
        {
            pod.SetLink(link.Index, new LinkChange { Up = false, Name = DeviceNames.PeerVeth(endpoint.Id) });
        }
    }

    private void MoveBackToHost(RtnetlinkClient pod, HostComputeEndpoint endpoint)
    {
        if (FindInPod(pod, endpoint, _host.GetLink(DeviceNames.HostVeth(endpoint.Id))) is not { } link)
        {
            return;
        }

        pod.SetLink(link.Index, new LinkChange { Up = false, Name = DeviceNames.PeerVeth(endpoint.Id) });
        var fd = NetnsThread.Open(HostNetnsPath);
        try
        {
            pod.SetLink(link.Index, new LinkChange { NetnsFd = fd });
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// Per address family the endpoint has an address in: the endpoint's routes of that family, else a default route
    /// (<c>0.0.0.0/0</c>, <c>::/0</c>) via the gateway of the subnet holding the address.
    /// </summary>
    private static List<RouteSpec> PodRoutes(HostComputeEndpoint endpoint, NetworkLayout network)
    {
        var own = new List<RouteSpec>();
        foreach (var route in endpoint.Routes ?? [])
        {
            // A route without a destination is a default route of its next hop's family.
            var hop = IPAddress.TryParse(route.NextHop ?? string.Empty, out var h) ? h : null;
            var any = hop?.AddressFamily == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0";
            if (IPNetwork.TryParse(route.DestinationPrefix ?? any, out var destination)
                && destination.BaseAddress.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                var via = hop is not null && hop.AddressFamily == destination.BaseAddress.AddressFamily
                    && !hop.Equals(IPAddress.Any) && !hop.Equals(IPAddress.IPv6Any) ? hop : null;
                own.Add(new RouteSpec(destination, via, OnLink: via is not null));
            }
        }

        var routes = new List<RouteSpec>();
        foreach (var ip in AddressesOf(endpoint).DistinctBy(a => a.AddressFamily))
        {
            var family = ip.AddressFamily;
            var ofFamily = own.Where(r => r.Destination.BaseAddress.AddressFamily == family).ToList();
            if (ofFamily.Count > 0)
            {
                routes.AddRange(ofFamily);
            }
            else if (network.Subnets.FirstOrDefault(s => s.Prefix.Contains(ip)) is { } subnet)
            {
                // Onlink: the gateway is reachable on the pod's link even when the pod's prefix does not cover it.
                var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                routes.Add(new RouteSpec(new IPNetwork(any, 0), subnet.Gateway, OnLink: true));
            }
        }

        return routes;
    }

    /// <summary>The endpoint's IPv4 and IPv6 addresses, in its order.</summary>
    private static IEnumerable<IPAddress> AddressesOf(HostComputeEndpoint endpoint) =>
        (endpoint.IpConfigurations ?? []).Select(c => IPAddress.TryParse(c.IpAddress ?? string.Empty, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(ip => ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6);

    /// <summary>The interface name inside the namespace: the PortName policy's name (CNI_IFNAME), else the default.</summary>
    private string InterfaceName(HostComputeEndpoint endpoint) =>
        (endpoint.Policies ?? []).Select(p => p.GetSettings<PortNamePolicySetting>()?.Name)
            .FirstOrDefault(n => !string.IsNullOrWhiteSpace(n) && n.Length <= DeviceNames.MaxInterfaceName)
        ?? _options.DefaultInterfaceName;

    private int EndpointMtu(HostComputeEndpoint endpoint, NetworkLayout network) =>
        (endpoint.Policies ?? []).Select(p => p.GetSettings<InterfaceParametersPolicySetting>()?.Mtu).FirstOrDefault(m => m is > 0)
        ?? NetworkMtu(network);
}
