using System.Net;
using Cni.Hcn;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Services;

/// <summary>
/// The overlay source VIP's HCN endpoint: non-DSR load-balanced traffic is SNATed to the source VIP, an address of
/// this node's pod subnet, so replies from backends on other nodes come back through the VXLAN network to this node.
/// kube-proxy's winkernel creates it at every sync when no endpoint holds the address — a local endpoint with the
/// host's MAC and the node IP as provider address (kubernetes pkg/proxy/winkernel/proxier.go, syncProxyRules,
/// "existingSourceVipEndpoint"); today flannel's start.ps1 does it with a hand-run host-local step. wincnid takes the
/// address from its own IPAM (the pool's reserved <c>ServiceSourceVip</c>, never leased to a pod) and makes the
/// endpoint under an ID it recognises after a restart.
/// </summary>
/// <param name="hcn">The dataplane.</param>
/// <param name="address">The source VIP.</param>
/// <param name="providerAddress">The node IP (the endpoint's provider address), or null when unknown.</param>
/// <param name="hostMac">The MAC of the host interface that holds the node IP (HNS form, dashes), or null to let HNS choose.</param>
/// <param name="logger">Where creation and failures are logged.</param>
public sealed partial class SourceVipEndpoint(IHcn hcn, IPAddress address, IPAddress? providerAddress, string? hostMac, ILogger<SourceVipEndpoint> logger)
{
    /// <summary>The endpoint's name (outside the pod-endpoint prefix, so pod reconciliation never takes it for a pod's).</summary>
    public const string Name = "wincni-svc-source-vip";

    /// <summary>"wcns" in ASCII: the tag of the source-VIP endpoint's ID.</summary>
    private const uint Tag = 0x77636E73;

    // The [LoggerMessage] methods log through this field.
    private readonly ILogger<SourceVipEndpoint> _logger = logger;

    /// <summary>The endpoint's ID for <paramref name="address"/>.</summary>
    public static Guid IdOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return TaggedIds.Create(Tag, address.ToString());
    }

    /// <summary>The source VIP.</summary>
    public IPAddress Address => address;

    /// <summary>
    /// Makes sure an endpoint with the source VIP exists in <paramref name="networkId"/>; one made by someone else
    /// (a start script) is left alone. Failures are logged and reported, never thrown: load balancers are still
    /// programmed, and the next pass tries again.
    /// </summary>
    /// <returns>Whether such an endpoint exists after the call.</returns>
    public async Task<bool> EnsureAsync(Guid networkId, CancellationToken cancellationToken)
    {
        var text = address.ToString();
        try
        {
            var endpoints = await hcn.EnumerateEndpointsAsync(HostComputeQuery.EndpointsOfNetwork(networkId), cancellationToken).ConfigureAwait(false);
            if (endpoints.Any(e => e.IpConfigurations?.Any(c => c.IpAddress == text) == true))
            {
                return true;
            }

            // Ours but in a network that was recreated: HCN keeps no endpoint of a deleted network, but a stale copy must not block the ID.
            await hcn.DeleteEndpointIfExistsAsync(IdOf(address), cancellationToken).ConfigureAwait(false);
            await hcn.CreateEndpointAsync(networkId, new HostComputeEndpoint
            {
                Id = IdOf(address),
                Name = Name,
                HostComputeNetwork = networkId,
                MacAddress = hostMac,
                IpConfigurations = [new IpConfig { IpAddress = text }],
                Policies = providerAddress is null
                    ? null
                    : [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = providerAddress.ToString() })],
            }, cancellationToken).ConfigureAwait(false);
            LogCreated(text, providerAddress?.ToString() ?? "-");
            return true;
        }
        catch (HcnException e)
        {
            LogFailed(e, text, e.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "source VIP endpoint {Address} created (provider address {ProviderAddress})")]
    private partial void LogCreated(string address, string providerAddress);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Warning, Message = "source VIP endpoint {Address} could not be created, retried at the next pass: {Reason}")]
    private partial void LogFailed(Exception exception, string address, string reason);
}
