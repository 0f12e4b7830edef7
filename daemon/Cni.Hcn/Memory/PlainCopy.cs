using Cni.Hcn.Model;

namespace Cni.Hcn.Memory;

/// <summary>
/// The emulator's copy of objects made only of immutable records, strings, GUIDs and numbers: load balancers, and
/// endpoints without policies, DNS or health (remote endpoints on L2Bridge). Only their lists are copied (a caller may
/// still hold and change a <see cref="List{T}"/> it passed in); their elements are immutable records and are shared.
/// </summary>
/// <remarks>
/// The JSON round trip gives the same object for these (nothing in them is polymorphic or normalized by the
/// converters, which <c>PlainCopyTests</c> checks field by field) at a fraction of its cost: a service proxy
/// programming 10,000 Services makes 90,000 such objects, and two JSON round trips each were a third of the CPU.
/// Anything else, policies above all (typed settings, raw settings for unknown types), still goes through JSON.
/// </remarks>
internal static class PlainCopy
{
    public static bool TryCopy<T>(T value, out T copy)
        where T : class
    {
        switch (value)
        {
            case HostComputeLoadBalancer lb:
                copy = (T)(object)(lb with
                {
                    HostComputeEndpoints = Copy(lb.HostComputeEndpoints),
                    FrontendVips = Copy(lb.FrontendVips),
                    PortMappings = Copy(lb.PortMappings),
                });
                return true;
            case HostComputeEndpoint { Policies: null or { Count: 0 }, Dns: null, Health: null } endpoint:
                copy = (T)(object)(endpoint with
                {
                    Policies = Copy(endpoint.Policies),
                    IpConfigurations = Copy(endpoint.IpConfigurations),
                    Routes = Copy(endpoint.Routes),
                });
                return true;
            default:
                copy = null!;
                return false;
        }
    }

    private static T[]? Copy<T>(IReadOnlyList<T>? list)
    {
        if (list is null)
        {
            return null;
        }

        var copy = new T[list.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = list[i];
        }

        return copy;
    }
}
