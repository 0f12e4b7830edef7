using System.Net;
using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Hcn.Errors;
using Cni.Hcn.Model;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Spec;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// What every CNI command works with (HCN, IPAM, the node network, namespaces, the per-attachment locks, and where the
/// dataplane can show them, the pods' real interfaces) and the checks they share: "is this our network", "is the node
/// ready", the attachment's key and endpoint name.
/// </summary>
/// <param name="Attachments">What the dataplane really made of attachments (KernelHcn); null where only the HCN objects
/// can be seen (HNS, the memory dataplane).</param>
internal sealed partial record CniCommandContext(
    IHcn Hcn,
    IIpamStore Ipam,
    PodNetwork Network,
    INamespaceResolver Namespaces,
    NodeOptions Options,
    KeyedAsyncLock<LeaseKey> Locks,
    ILogger Logger,
    IAttachmentVerifier? Attachments = null)
{
    /// <summary>Time for backoffs (rollback retries).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static LeaseKey KeyOf(PluginRequest request) => new(request.ContainerId, request.IfName);

    public static string EndpointNameOf(PluginRequest request) => EndpointNames.For(request.Config.Name, request.ContainerId, request.IfName);

    /// <summary>The addresses an endpoint carries (unparseable entries skipped).</summary>
    public static HashSet<IPAddress> AddressesOf(HostComputeEndpoint endpoint) =>
        [.. (endpoint.IpConfigurations ?? []).Select(c => IPAddress.TryParse(c.IpAddress, out var a) ? a : null).OfType<IPAddress>()];

    public bool IsOurNetwork(PluginRequest request) =>
        string.Equals(request.Config.Name, Options.NetworkName, StringComparison.Ordinal);

    public void EnsureOurNetwork(PluginRequest request)
    {
        if (!IsOurNetwork(request))
        {
            throw new CniException(
                CniErrorCode.InvalidNetworkConfig,
                $"name: '{request.Config.Name}' is not the network wincnid serves ('{Options.NetworkName}'); the conflist's name must equal the node config's networkName");
        }
    }

    /// <summary>The node network's ID, or code 11 while it is not ready (ADD and CHECK need it).</summary>
    public Guid RequireReady()
    {
        if (!Network.IsReady || Network.NetworkId is not { } networkId)
        {
            throw new CniException(CniErrorCode.TryAgainLater, "wincnid is not ready: " + (Network.NotReadyReason ?? "the node network is not ready"));
        }

        return networkId;
    }

    /// <summary>Releases a namespace wincni created; a failure is logged, never fatal (DEL and GC have released the rest).</summary>
    public async Task ReleaseNamespaceAsync(NetnsReference netns, CancellationToken cancellationToken)
    {
        try
        {
            await Namespaces.ReleaseAsync(netns, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HcnException or CniException)
        {
            Log.NamespaceReleaseFailed(Logger, ex, netns.Raw);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Releasing namespace of netns {Netns} failed")]
        public static partial void NamespaceReleaseFailed(ILogger logger, Exception exception, string netns);
    }
}
