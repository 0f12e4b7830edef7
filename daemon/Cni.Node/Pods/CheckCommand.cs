using System.Globalization;
using System.Net;
using Cni.Hcn.Attachments;
using Cni.Hcn.Model;
using Cni.Spec;
using Cni.Spec.Results;

namespace Cni.Node.Pods;

/// <summary>
/// CNI CHECK: the lease, the endpoint, its network, its namespace and its addresses must all match prevResult; where
/// the dataplane can show the pod's interface (KernelHcn), the interface named CNI_IFNAME must exist in the pod, be up
/// and carry prevResult's addresses and routes, as the CNI spec's CHECK asks (containernetworking/cni SPEC.md, "CHECK:
/// Check container's networking is as expected"). The first mismatch is the error, naming both sides.
/// </summary>
internal sealed class CheckCommand(CniCommandContext context)
{
    public async Task<byte[]?> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        context.EnsureOurNetwork(request);
        var networkId = context.RequireReady();
        var expected = ExpectedAddresses(request);
        var key = CniCommandContext.KeyOf(request);
        var endpointName = CniCommandContext.EndpointNameOf(request);
        var step = CniStep.WaitingForAttachmentLock;
        try
        {
            using var held = await context.Locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);

            step = CniStep.ReadingLease;
            var lease = await context.Ipam.GetAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw Check($"no IP lease for {key}: the ADD never completed, or DEL/GC released it");
            step = CniStep.LookingUpEndpoint;
            var endpoints = await context.Hcn.EnumerateEndpointsAsync(HostComputeQuery.ByName(endpointName), cancellationToken).ConfigureAwait(false);
            if (endpoints.Count == 0)
            {
                throw Check($"HCN endpoint {endpointName} does not exist: it was deleted out of band or lost in an HNS restart; delete and re-create the pod");
            }

            var endpoint = endpoints.FirstOrDefault(e => e.HostComputeNetwork == networkId)
                ?? throw Check($"HCN endpoint {endpointName} is on network {endpoints[0].HostComputeNetwork}, not on the node network {networkId}");

            step = CniStep.ResolvingNamespace;
            var namespaceId = await context.Namespaces.FindAsync(request.NetnsReference, cancellationToken).ConfigureAwait(false)
                ?? throw Check($"CNI_NETNS: namespace '{request.Netns}' does not exist");
            if (endpoint.HostComputeNamespace == Guid.Empty)
            {
                throw Check($"HCN endpoint {endpointName} ({endpoint.Id}) is not attached to any namespace; expected {namespaceId} (CNI_NETNS)");
            }

            if (endpoint.HostComputeNamespace != namespaceId)
            {
                throw Check($"HCN endpoint {endpointName} ({endpoint.Id}) is attached to namespace {endpoint.HostComputeNamespace}, not to {namespaceId} (CNI_NETNS)");
            }

            var actual = CniCommandContext.AddressesOf(endpoint);
            if (!actual.SetEquals(expected))
            {
                throw Check($"prevResult.ips lists [{Join(expected)}] for '{request.IfName}' but HCN endpoint {endpointName} has [{Join(actual)}]");
            }

            var leased = lease.Addresses.Select(a => a.Address).ToHashSet();
            if (!leased.SetEquals(actual))
            {
                throw Check($"IPAM leases [{Join(leased)}] to {key} but HCN endpoint {endpointName} has [{Join(actual)}]");
            }

            if (context.Attachments is { } attachments)
            {
                step = CniStep.VerifyingInterface;
                CheckInterface(request, await attachments.VerifyAsync(endpoint.Id, cancellationToken).ConfigureAwait(false));
            }

            return null;
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(step, cancelled);
        }
    }

    /// <summary>
    /// The pod's interface as the dataplane has it, against the request and prevResult: named CNI_IFNAME, present, up,
    /// with every address prevResult gives it (with its prefix length) and every route prevResult lists. Addresses,
    /// routes or a MAC that a later plugin of the chain may have added or changed are allowed, as the spec asks; what
    /// else the dataplane found missing (the node side of the pair, say) fails the check too.
    /// </summary>
    private static void CheckInterface(PluginRequest request, RealizedAttachment state)
    {
        var ifName = request.IfName;
        if (!string.Equals(state.InterfaceName, ifName, StringComparison.Ordinal))
        {
            throw Check($"the pod's interface is named '{state.InterfaceName}', not '{ifName}' (CNI_IFNAME): the endpoint was made before wincni named interfaces; delete and re-create the pod");
        }

        if (!state.InterfaceFound)
        {
            throw Check($"interface '{ifName}' is missing in {request.Netns}: {string.Join("; ", state.Problems)}");
        }

        if (!state.Up)
        {
            throw Check($"interface '{ifName}' in {request.Netns} is down");
        }

        var prev = request.Config.PrevResult!;
        var index = IndexOf(prev, ifName);
        var has = state.IpConfigurations.Select(c => $"{c.IpAddress}/{c.PrefixLength}").ToList();
        foreach (var ip in prev.Ips.Where(ip => ip.Interface == index))
        {
            var wanted = string.Create(CultureInfo.InvariantCulture, $"{ip.Address.Address}/{ip.Address.PrefixLength}");
            if (!has.Contains(wanted))
            {
                throw Check($"prevResult.ips: {wanted} is not on interface '{ifName}' in {request.Netns} (it has [{string.Join(", ", has)}])");
            }
        }

        foreach (var route in prev.Routes)
        {
            var destination = route.Dst.Network.ToString();
            if (!state.Routes.Any(r => r.DestinationPrefix == destination && (route.Gw is null || r.NextHop == route.Gw.ToString())))
            {
                var via = route.Gw is null ? string.Empty : " via " + route.Gw;
                throw Check($"prevResult.routes: {destination}{via} is missing on interface '{ifName}' in {request.Netns}");
            }
        }

        if (!state.IsIntact)
        {
            throw Check($"interface '{ifName}' in {request.Netns}: {string.Join("; ", state.Problems)}");
        }
    }

    private static int IndexOf(CniResult prev, string ifName)
    {
        for (var i = 0; i < prev.Interfaces.Count; i++)
        {
            if (string.Equals(prev.Interfaces[i].Name, ifName, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The addresses prevResult gives CNI_IFNAME; code 7 when it lists none.</summary>
    private static HashSet<IPAddress> ExpectedAddresses(PluginRequest request)
    {
        var prev = request.Config.PrevResult!;
        var index = IndexOf(prev, request.IfName);
        if (index < 0)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"prevResult.interfaces: no interface named '{request.IfName}' (CNI_IFNAME)");
        }

        var expected = prev.Ips.Where(ip => ip.Interface == index).Select(ip => ip.Address.Address).ToHashSet();
        if (expected.Count == 0)
        {
            throw new CniException(CniErrorCode.InvalidNetworkConfig, $"prevResult.ips: no address for interface {index} ('{request.IfName}')");
        }

        return expected;
    }

    private static CniException Check(string message) => new(CniErrorCode.Internal, "CHECK: " + message);

    private static string Join(IEnumerable<IPAddress> addresses) => string.Join(", ", addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
}
