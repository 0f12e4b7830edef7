using System.Runtime.InteropServices;

namespace Cni.Hcn.Windows;

/// <summary>
/// An open HCN object handle. Release calls the kind's <c>HcnClose*</c> through the seam, so a handle is closed exactly
/// once on every path (success, failure, exception) and tests can observe it. Subclasses give each kind its own type,
/// so e.g. <c>HcnCreateEndpoint</c> can only be handed a network handle.
/// </summary>
internal abstract class HcnHandle : SafeHandle
{
    private readonly IHcnNativeApi _api;

    private protected HcnHandle(IHcnNativeApi api, HcnObjectKind kind, nint handle)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        _api = api;
        Kind = kind;
        SetHandle(handle);
    }

    public HcnObjectKind Kind { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>Wraps a raw handle returned by <c>HcnCreate*</c>/<c>HcnOpen*</c> in the type for its kind.</summary>
    public static HcnHandle Wrap(IHcnNativeApi api, HcnObjectKind kind, nint handle) => kind switch
    {
        HcnObjectKind.Network => new HcnNetworkHandle(api, handle),
        HcnObjectKind.Endpoint => new HcnEndpointHandle(api, handle),
        HcnObjectKind.Namespace => new HcnNamespaceHandle(api, handle),
        HcnObjectKind.LoadBalancer => new HcnLoadBalancerHandle(api, handle),
        HcnObjectKind.SdnRoute => new HcnSdnRouteHandle(api, handle),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    protected override bool ReleaseHandle() => _api.Close(Kind, handle) >= 0;
}

/// <summary><c>HCN_NETWORK</c>, closed with <c>HcnCloseNetwork</c>.</summary>
internal sealed class HcnNetworkHandle(IHcnNativeApi api, nint handle) : HcnHandle(api, HcnObjectKind.Network, handle);

/// <summary><c>HCN_ENDPOINT</c>, closed with <c>HcnCloseEndpoint</c>.</summary>
internal sealed class HcnEndpointHandle(IHcnNativeApi api, nint handle) : HcnHandle(api, HcnObjectKind.Endpoint, handle);

/// <summary><c>HCN_NAMESPACE</c>, closed with <c>HcnCloseNamespace</c>.</summary>
internal sealed class HcnNamespaceHandle(IHcnNativeApi api, nint handle) : HcnHandle(api, HcnObjectKind.Namespace, handle);

/// <summary><c>HCN_LOADBALANCER</c>, closed with <c>HcnCloseLoadBalancer</c>.</summary>
internal sealed class HcnLoadBalancerHandle(IHcnNativeApi api, nint handle) : HcnHandle(api, HcnObjectKind.LoadBalancer, handle);

/// <summary>The SDN-route handle, closed with <c>HcnCloseSdnRoute</c>.</summary>
internal sealed class HcnSdnRouteHandle(IHcnNativeApi api, nint handle) : HcnHandle(api, HcnObjectKind.SdnRoute, handle);
