using System.Net;
using Cni.Hcn.Model;
using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>
/// CNI CHECK: the lease, the endpoint, its network, its namespace and its addresses must all match prevResult; the
/// first mismatch is the error, naming both sides.
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

            return null;
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(step, cancelled);
        }
    }

    /// <summary>The addresses prevResult gives CNI_IFNAME; code 7 when it lists none.</summary>
    private static HashSet<IPAddress> ExpectedAddresses(PluginRequest request)
    {
        var prev = request.Config.PrevResult!;
        var index = -1;
        for (var i = 0; i < prev.Interfaces.Count; i++)
        {
            if (string.Equals(prev.Interfaces[i].Name, request.IfName, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

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
