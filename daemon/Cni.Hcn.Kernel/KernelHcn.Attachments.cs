using System.Globalization;
using System.Net;
using Cni.Hcn.Attachments;
using Cni.Hcn.Kernel.Layout;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Naming;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.State;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Requests;
using Microsoft.Extensions.Logging;

namespace Cni.Hcn.Kernel;

/// <summary>
/// The kernel as the truth about attachments: what an attached endpoint really has (its interface in the pod's
/// namespace with its addresses and routes, its node side on the bridge), the repair of what differs, and the check of
/// every attachment at start-up, where persisted records meet a kernel that may have moved on without them.
/// </summary>
public sealed partial class KernelHcn : IAttachmentVerifier
{
    private long _attachmentsRepaired;
    private long _attachmentsDropped;
    private long _staleLinksRemoved;

    /// <summary>Attachments found broken and repaired (at start-up, on <see cref="RepairAsync"/>).</summary>
    public long AttachmentsRepaired => Interlocked.Read(ref _attachmentsRepaired);

    /// <summary>
    /// Attachments dropped at start-up because they cannot be realized again: the pod's network namespace is gone (its
    /// endpoint is detached; its lease and endpoint wait for the runtime's DEL or the daemon's GC).
    /// </summary>
    public long AttachmentsDropped => Interlocked.Read(ref _attachmentsDropped);

    /// <summary>wincni veth pairs with no endpoint behind them (left by a crash between kernel and records), deleted.</summary>
    public long StaleLinksRemoved => Interlocked.Read(ref _staleLinksRemoved);

    /// <inheritdoc/>
    public async Task<RealizedAttachment> VerifyAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        using var held = await EnterSharedAsync([endpointId], cancellationToken).ConfigureAwait(false);
        var endpoint = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
        return Inspect(endpoint, await LayoutOfAsync(endpoint, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public async Task<RealizedAttachment> RepairAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        // Locked like an attach (namespace and endpoint), so it never runs beside one of the same objects.
        var namespaceId = (await ReadAsync(() => _objects.GetEndpointAsync(endpointId, cancellationToken), cancellationToken).ConfigureAwait(false)).HostComputeNamespace;
        using var held = await EnterSharedAsync([namespaceId, endpointId], cancellationToken).ConfigureAwait(false);
        var endpoint = await _objects.GetEndpointAsync(endpointId, cancellationToken).ConfigureAwait(false);
        var layout = await LayoutOfAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var before = Inspect(endpoint, layout);
        if (before.IsIntact || layout is null || !_bindings.TryGetValue(endpoint.HostComputeNamespace, out var binding))
        {
            return before;
        }

        return Repair(endpoint, binding, layout, before);
    }

    /// <summary>The layout of the endpoint's network, null when the network is gone.</summary>
    private async Task<NetworkLayout?> LayoutOfAsync(HostComputeEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return NetworkLayout.From(await _objects.GetNetworkAsync(endpoint.HostComputeNetwork, cancellationToken).ConfigureAwait(false));
        }
        catch (Errors.HcnException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Realizes the attachment again and looks once more; counts and logs what came of it.</summary>
    private RealizedAttachment Repair(HostComputeEndpoint endpoint, NamespaceBinding binding, NetworkLayout layout, RealizedAttachment before)
    {
        string? failure = null;
        try
        {
            AttachEndpoint(endpoint, binding, layout);
        }
        catch (Exception ex) when (IsKernelFailure(ex))
        {
            failure = ex.Message;
        }

        var after = Inspect(endpoint, layout);
        var found = string.Join("; ", before.Problems);
        if (after.IsIntact)
        {
            Interlocked.Increment(ref _attachmentsRepaired);
            LogAttachmentRepaired(endpoint.Name, endpoint.Id, binding.Path, found);
        }
        else
        {
            LogAttachmentNotRepaired(endpoint.Name, endpoint.Id, binding.Path, string.Join("; ", after.Problems), failure ?? "no kernel error");
        }

        return after;
    }

    /// <summary>
    /// What exists for an endpoint's attachment, compared with the endpoint: its node side (present, a port of the
    /// bridge, up) and its interface in the namespace (present under its name, this endpoint's, up, with the endpoint's
    /// addresses and routes). Extra addresses and routes, another MAC or MTU are reported, not counted as problems: a
    /// chained plugin may add or change them.
    /// </summary>
    private RealizedAttachment Inspect(HostComputeEndpoint endpoint, NetworkLayout? network)
    {
        var name = InterfaceName(endpoint);
        var empty = new RealizedAttachment { EndpointId = endpoint.Id, NamespaceId = endpoint.HostComputeNamespace, InterfaceName = name };
        if (endpoint.HostComputeNamespace == Guid.Empty || IsRemote(endpoint))
        {
            return empty;
        }

        if (network is null)
        {
            return empty with { Problems = [$"its network {endpoint.HostComputeNetwork:D} no longer exists"] };
        }

        if (!_bindings.TryGetValue(endpoint.HostComputeNamespace, out var binding))
        {
            return empty with { Problems = [$"namespace {endpoint.HostComputeNamespace:D} is bound to no network namespace"] };
        }

        if (!binding.IsHost && !File.Exists(binding.Path))
        {
            return empty with { Problems = [$"its network namespace {binding.Path} no longer exists"] };
        }

        var problems = new List<string>();
        var hostName = DeviceNames.HostVeth(endpoint.Id);
        var host = network.IsTransparent ? null : _host.GetLink(hostName);
        if (network.IsTransparent)
        {
            // A macvlan has no node side: the pod's interface is all there is.
        }
        else if (host is null)
        {
            problems.Add($"the node side {hostName} of its veth pair is missing");
        }
        else
        {
            var bridge = _host.GetLink(network.Bridge);
            if (bridge is null || host.MasterIndex != bridge.Index)
            {
                problems.Add($"the node side {hostName} is not a port of bridge {network.Bridge}");
            }

            if (!host.IsUp)
            {
                problems.Add($"the node side {hostName} is down");
            }
        }

        if (binding.IsHost)
        {
            return InspectHostVnic(endpoint, empty, host, problems);
        }

        var (link, addresses, routes) = NetnsThread.Run(binding.Path, () =>
        {
            using var pod = RtnetlinkClient.Open();
            var found = pod.GetLink(name);
            return found is null
                ? (null, [], [])
                : (found, pod.ListAddresses().Where(a => a.Index == found.Index).ToList(), RoutesOf(pod, found.Index));
        });
        if (link is null)
        {
            problems.Add($"there is no interface {name} in network namespace {binding.Path}");
            return empty with { Problems = problems };
        }

        var ours = network.IsTransparent
            ? string.Equals(link.Kind, "macvlan", StringComparison.Ordinal) && (NetworkLayout.ParseMac(endpoint.MacAddress) is not { } macvlanMac || macvlanMac.Equals(link.Mac))
            : host is not null && link.LinkIndex == host.Index && string.Equals(link.Kind, "veth", StringComparison.Ordinal);
        if (network.IsTransparent && !ours)
        {
            problems.Add($"interface {name} in {binding.Path} is not this endpoint's (a {link.Kind ?? "device"}, not a macvlan with MAC {endpoint.MacAddress})");
        }
        else if (host is not null && !ours)
        {
            problems.Add($"interface {name} in {binding.Path} is not this endpoint's (a {link.Kind ?? "device"} whose peer is #{link.LinkIndex}, not {hostName} #{host.Index})");
        }

        if (!link.IsUp)
        {
            problems.Add($"interface {name} is down");
        }

        foreach (var (ip, length) in PodAddresses(endpoint, network))
        {
            if (!addresses.Any(a => a.Address.Equals(ip) && a.PrefixLength == length))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"address {ip}/{length} is missing on {name}"));
            }
        }

        foreach (var route in PodRoutes(endpoint, network))
        {
            if (!routes.Any(r => r.Destination.Equals(route.Destination) && Equals(r.Gateway, route.Gateway)))
            {
                problems.Add($"route {route.Destination}{(route.Gateway is null ? string.Empty : $" via {route.Gateway}")} is missing on {name}");
            }
        }

        return empty with
        {
            InterfaceFound = ours,
            Up = link.IsUp,
            MacAddress = link.Mac is { } mac ? string.Join('-', mac.GetAddressBytes().Select(b => b.ToString("X2", CultureInfo.InvariantCulture))) : null,
            IpConfigurations = [.. addresses.Select(a => new IpConfig { IpAddress = a.Address.ToString(), PrefixLength = (byte)a.PrefixLength })],
            Routes = [.. routes.Select(r => new Route { DestinationPrefix = r.Destination.ToString(), NextHop = r.Gateway?.ToString() })],
            Problems = problems,
        };
    }

    /// <summary>The unicast main-table routes through one link, both families (IPv6 only where the kernel has it).</summary>
    private static List<RouteSpec> RoutesOf(RtnetlinkClient pod, int index)
    {
        var routes = pod.ListRoutes().Where(r => r.OutputIndex == index).ToList();
        try
        {
            routes.AddRange(pod.ListRoutes(Rtnl.AfInet6).Where(r => r.OutputIndex == index));
        }
        catch (NetlinkException)
        {
            // A kernel without IPv6 answers the dump with an error: there are no IPv6 routes to report.
        }

        return routes;
    }

    /// <summary>A host vNIC: the container side in the node namespace, up, with the endpoint's addresses as /32 (IPv6: /128).</summary>
    private RealizedAttachment InspectHostVnic(HostComputeEndpoint endpoint, RealizedAttachment empty, LinkInfo? host, List<string> problems)
    {
        var vnicName = DeviceNames.PeerVeth(endpoint.Id);
        if (host is null || _host.GetLink(vnicName) is not { } vnic)
        {
            return empty with { InterfaceName = vnicName, Problems = [.. problems, $"the host vNIC {vnicName} of the endpoint is missing"] };
        }

        if (!vnic.IsUp)
        {
            problems.Add($"the host vNIC {vnicName} is down");
        }

        var addresses = _host.ListAddresses().Where(a => a.Index == vnic.Index).ToList();
        foreach (var config in endpoint.IpConfigurations ?? [])
        {
            if (IPAddress.TryParse(config.IpAddress ?? string.Empty, out var ip)
                && ip.AddressFamily is System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6
                && !addresses.Any(a => a.Address.Equals(ip)))
            {
                problems.Add($"address {ip} is missing on the host vNIC {vnicName}");
            }
        }

        return empty with
        {
            InterfaceName = vnicName,
            InterfaceFound = true,
            Up = vnic.IsUp,
            IpConfigurations = [.. addresses.Select(a => new IpConfig { IpAddress = a.Address.ToString(), PrefixLength = (byte)a.PrefixLength })],
            Problems = problems,
        };
    }

    /// <summary>
    /// Start-up, for an attached local endpoint: checks what the kernel has against the record and repairs it; an
    /// attachment whose runtime netns is gone cannot come back and is dropped (the endpoint is detached, its veth
    /// retired), logged and counted.
    /// </summary>
    private async Task VerifyAttachmentAtStartAsync(HostComputeEndpoint endpoint, NamespaceBinding binding, NetworkLayout layout)
    {
        if (!binding.IsHost && !binding.Owned && !File.Exists(binding.Path))
        {
            await _objects.ModifyNamespaceAsync(endpoint.HostComputeNamespace, ModifyNamespaceSettingRequest.ForEndpoint(RequestType.Remove, endpoint.Id), CancellationToken.None)
                .ConfigureAwait(false);
            TryKernel("endpoint", endpoint.Id, () =>
            {
                if (_host.GetLink(DeviceNames.HostVeth(endpoint.Id)) is { } stale)
                {
                    _reaper.Retire(_host, stale.Index);
                }
            });
            Interlocked.Increment(ref _attachmentsDropped);
            LogAttachmentDropped(endpoint.Name, endpoint.Id, binding.Path);
            return;
        }

        RealizedAttachment state;
        try
        {
            state = Inspect(endpoint, layout);
        }
        catch (Exception ex) when (IsKernelFailure(ex))
        {
            state = new RealizedAttachment { EndpointId = endpoint.Id, Problems = [$"it could not be inspected: {ex.Message}"] };
        }

        if (!state.IsIntact)
        {
            Repair(endpoint, binding, layout, state);
        }
        else
        {
            // Adopted as it is; a port made before hairpin mode was set gets it (a pod must reach itself through a service).
            TryKernel("endpoint", endpoint.Id, () => RealizeEndpoint(endpoint, layout));
        }
    }

    /// <summary>
    /// Start-up: deletes the wincni veth pairs on this KernelHcn's bridges (or waiting in the node namespace under a
    /// container-side name) that no endpoint owns: a kill between the kernel's change and the records' leaves them,
    /// and one left in a pod holds the interface name the pod's next ADD needs.
    /// </summary>
    private void RemoveStaleLinks(IReadOnlyCollection<HostComputeEndpoint> endpoints, IEnumerable<NetworkLayout> networks)
    {
        var owned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Where(e => !IsRemote(e)))
        {
            owned.Add(DeviceNames.HostVeth(endpoint.Id));
            owned.Add(DeviceNames.PeerVeth(endpoint.Id));
        }

        var links = _host.ListLinks();
        var bridges = networks.Select(n => links.FirstOrDefault(l => l.Name == n.Bridge)?.Index).OfType<int>().ToHashSet();
        var byIndex = links.ToDictionary(l => l.Index);
        foreach (var link in links.Where(l => string.Equals(l.Kind, "veth", StringComparison.Ordinal) && !owned.Contains(l.Name)))
        {
            // A host side on one of our bridges, or a container side waiting in the node namespace whose host side is ours.
            var stale = (DeviceNames.IsHostVeth(link.Name) && bridges.Contains(link.MasterIndex))
                || (DeviceNames.IsPeerVeth(link.Name) && byIndex.TryGetValue(link.LinkIndex, out var peer) && DeviceNames.IsHostVeth(peer.Name) && !owned.Contains(peer.Name));
            if (stale && _reaper.Retire(_host, link.Index))
            {
                Interlocked.Increment(ref _staleLinksRemoved);
                LogStaleLinkRemoved(link.Name);
            }
        }
    }

    [LoggerMessage(EventId = 2613, Level = LogLevel.Warning,
        Message = "Repaired the attachment of endpoint {EndpointName} ({EndpointId}) in {Netns}: {Problems}")]
    private partial void LogAttachmentRepaired(string? endpointName, Guid endpointId, string netns, string problems);

    [LoggerMessage(EventId = 2614, Level = LogLevel.Error,
        Message = "The attachment of endpoint {EndpointName} ({EndpointId}) in {Netns} could not be repaired: {Problems} ({Failure})")]
    private partial void LogAttachmentNotRepaired(string? endpointName, Guid endpointId, string netns, string problems, string failure);

    [LoggerMessage(EventId = 2615, Level = LogLevel.Warning,
        Message = "Dropped the attachment of endpoint {EndpointName} ({EndpointId}): its network namespace {Netns} no longer exists; the endpoint is detached until DEL or GC removes it")]
    private partial void LogAttachmentDropped(string? endpointName, Guid endpointId, string netns);

    [LoggerMessage(EventId = 2616, Level = LogLevel.Warning, Message = "Removed veth {Link}: no endpoint owns it (left by a crash)")]
    private partial void LogStaleLinkRemoved(string link);

    [LoggerMessage(EventId = 2617, Level = LogLevel.Warning,
        Message = "Interface {Interface} in {Netns} was held by a wincni veth no endpoint owns ({Link}); deleted it")]
    private partial void LogStaleInterfaceFreed(string @interface, string netns, string link);
}
