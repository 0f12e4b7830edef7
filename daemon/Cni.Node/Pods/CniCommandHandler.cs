using Cni.Hcn;
using Cni.Hcn.Attachments;
using Cni.Node.Concurrency;
using Cni.Node.Configuration;
using Cni.Node.Dataplane;
using Cni.Node.Ipam;
using Cni.Node.Networks;
using Cni.Spec;
using Microsoft.Extensions.Logging;

namespace Cni.Node.Pods;

/// <summary>
/// Runs a validated CNI request on the node network: one class per command (<see cref="AddCommand"/>,
/// <see cref="DelCommand"/>, <see cref="CheckCommand"/>, <see cref="StatusCommand"/>, <see cref="GcCommand"/>), and
/// here the one place where their failures become CNI errors.
/// </summary>
/// <remarks>
/// Work on one attachment (container ID, ifName) is serialized by a keyed lock shared with <see cref="PodNetwork"/>'s
/// reconciliation; different attachments never wait for each other, only for HCN call slots (see
/// <see cref="BoundedHcn"/>).
/// </remarks>
public sealed partial class CniCommandHandler : ICniCommandHandler
{
    private readonly AddCommand _add;
    private readonly DelCommand _del;
    private readonly CheckCommand _check;
    private readonly StatusCommand _status;
    private readonly GcCommand _gc;
    private readonly ILogger _logger;
    private readonly ICniFailureReporter? _failures;

    /// <summary>Creates the handler.</summary>
    /// <param name="hcn">The dataplane (the same, bounded, instance <see cref="PodNetwork"/> uses).</param>
    /// <param name="network">The node network (readiness, network ID, node IP).</param>
    /// <param name="namespaces">CNI_NETNS → HCN namespace (<see cref="HcnNamespaceResolver"/> on Windows).</param>
    /// <param name="options">The node config.</param>
    /// <param name="attachmentLocks">The per-attachment locks shared with <paramref name="network"/>.</param>
    /// <param name="attachments">
    /// Where the dataplane can show what it made of an attachment (KernelHcn): a repeated ADD and CHECK then look at the
    /// pod's interface itself (and ADD repairs it), and the endpoint carries CNI_IFNAME as its <c>PortName</c>, the
    /// name that interface gets. Null on HNS and the memory dataplane, where the HCN objects are all there is to see.
    /// </param>
    /// <param name="failures">Told about failed commands (Kubernetes Events), or null.</param>
    public CniCommandHandler(
        IHcn hcn,
        IIpamStore ipam,
        PodNetwork network,
        INamespaceResolver namespaces,
        NodeOptions options,
        KeyedAsyncLock<LeaseKey> attachmentLocks,
        ILogger<CniCommandHandler> logger,
        IAttachmentVerifier? attachments = null,
        ICniFailureReporter? failures = null)
    {
        ArgumentNullException.ThrowIfNull(hcn);
        ArgumentNullException.ThrowIfNull(ipam);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attachmentLocks);
        ArgumentNullException.ThrowIfNull(logger);
        var context = new CniCommandContext(hcn, ipam, network, namespaces, options, attachmentLocks, logger, attachments);
        _add = new AddCommand(context, new CniResultBuilder(ipam, options));
        _del = new DelCommand(context);
        _check = new CheckCommand(context);
        _status = new StatusCommand(context);
        _gc = new GcCommand(context);
        _logger = logger;
        _failures = failures;
    }

    /// <inheritdoc/>
    public async Task<CniOutcome> HandleAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var result = request.Command switch
            {
                CniCommand.Add => await _add.RunAsync(request, cancellationToken).ConfigureAwait(false),
                CniCommand.Del => await _del.RunAsync(request, cancellationToken).ConfigureAwait(false),
                CniCommand.Check => await _check.RunAsync(request, cancellationToken).ConfigureAwait(false),
                CniCommand.Status => await _status.RunAsync(request, cancellationToken).ConfigureAwait(false),
                CniCommand.Gc => await _gc.RunAsync(request, cancellationToken).ConfigureAwait(false),
                _ => throw new CniException(CniErrorCode.InvalidEnvironmentVariables, $"CNI_COMMAND: '{request.Command.ToWireName()}' is not handled by wincnid"),
            };
            return CniOutcome.Success(result);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or CniCommandCancelledException))
        {
            // A cancelled command is left to the caller, who knows which deadline it set.
            var error = CniErrors.From(ex, request.CniVersion);
            Log.CommandFailed(_logger, request.Command.ToWireName(), request.ContainerId, request.IfName, (int)error.Code, error.Msg);
            _failures?.Report(request, ex, error);
            return CniOutcome.Failure(error);
        }
    }
}
