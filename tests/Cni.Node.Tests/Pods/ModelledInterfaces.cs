using System.Collections.Concurrent;
using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.Memory;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Node.Tests.Pods;

/// <summary>
/// A kernel node's pod interfaces, modelled over MemoryHcn: every attached endpoint has its interface (named after its
/// PortName policy, else eth0) with its addresses and routes, until a test breaks one (as a crash or an out-of-band
/// deletion would). A repair mends it unless <see cref="RepairFails"/>.
/// </summary>
internal sealed class ModelledInterfaces(MemoryHcn hcn) : IAttachmentVerifier
{
    private readonly ConcurrentDictionary<Guid, Breakage> _broken = new();
    private int _repairs;

    /// <summary>What a test can break.</summary>
    public enum Breakage
    {
        /// <summary>The interface is gone from the pod.</summary>
        Interface = 1,

        /// <summary>The interface lost its addresses.</summary>
        Address,

        /// <summary>The interface lost its routes.</summary>
        Route,
    }

    /// <summary>Repairs leave the breakage as it is (the dataplane refuses).</summary>
    public bool RepairFails { get; set; }

    /// <summary>Repairs asked for so far.</summary>
    public int Repairs => Volatile.Read(ref _repairs);

    public void Break(Guid endpointId, Breakage breakage = Breakage.Interface) => _broken[endpointId] = breakage;

    public async Task<RealizedAttachment> VerifyAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        var endpoint = await ((IHcn)hcn).GetEndpointAsync(endpointId, cancellationToken);
        var name = (endpoint.Policies ?? []).Select(p => p.GetSettings<PortNamePolicySetting>()?.Name).FirstOrDefault(n => n is not null) ?? "eth0";
        var state = new RealizedAttachment { EndpointId = endpointId, NamespaceId = endpoint.HostComputeNamespace, InterfaceName = name };
        if (endpoint.HostComputeNamespace == Guid.Empty)
        {
            return state;
        }

        var breakage = _broken.GetValueOrDefault(endpointId);
        if (breakage == Breakage.Interface)
        {
            return state with { Problems = [$"there is no interface {name} in the pod's namespace"] };
        }

        return state with
        {
            InterfaceFound = true,
            Up = true,
            MacAddress = endpoint.MacAddress,
            IpConfigurations = breakage == Breakage.Address ? [] : endpoint.IpConfigurations ?? [],
            Routes = breakage == Breakage.Route ? [] : [.. (endpoint.Routes ?? []).Select(r => new Route { DestinationPrefix = r.DestinationPrefix, NextHop = r.NextHop })],
            Problems = breakage switch
            {
                Breakage.Address => [$"its address is missing on {name}"],
                Breakage.Route => [$"its route is missing on {name}"],
                _ => [],
            },
        };
    }

    public async Task<RealizedAttachment> RepairAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _repairs);
        if (!RepairFails)
        {
            _broken.TryRemove(endpointId, out _);
        }

        return await VerifyAsync(endpointId, cancellationToken);
    }
}
