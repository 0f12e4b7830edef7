using Cni.Hcn.Errors;
using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>
/// CNI STATUS: can an ADD succeed now? The node network must be ready and present in HNS, and every pool must have a
/// free address (an exhausted pool is 50, one freed by quarantine later is 11).
/// </summary>
internal sealed class StatusCommand(CniCommandContext context)
{
    public async Task<byte[]?> RunAsync(PluginRequest request, CancellationToken cancellationToken)
    {
        context.EnsureOurNetwork(request);
        var network = context.Network;
        if (!network.IsReady || network.NetworkId is not { } networkId)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, "wincnid cannot serve ADD: " + (network.NotReadyReason ?? "the node network is not ready"));
        }

        try
        {
            await context.Hcn.GetNetworkAsync(networkId, cancellationToken).ConfigureAwait(false);
        }
        catch (HcnException ex) when (ex.IsNotFound)
        {
            network.ReportNetworkMissing(ex.Info.Name);
            throw new CniException(CniError.Create(
                CniErrorCode.PluginNotAvailable,
                $"HCN network '{request.Config.Name}' ({networkId}) no longer exists; wincnid recreates it on its next reconcile",
                ex.Facts), ex);
        }
        catch (HcnException ex)
        {
            throw new CniException(CniError.Create(
                CniErrors.IsTransient(ex) ? CniErrorCode.TryAgainLater : CniErrorCode.PluginNotAvailable,
                "HNS cannot be queried: " + ex.Message,
                ex.Facts), ex);
        }
        catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested)
        {
            throw new CniCommandCancelledException(CniStep.QueryingNetwork, cancelled);
        }

        foreach (var pool in context.Ipam.GetUsage())
        {
            if (pool.Free > 0)
            {
                continue;
            }

            if (pool.Quarantined > 0)
            {
                throw new CniException(
                    CniErrorCode.TryAgainLater,
                    $"IP pool {pool.Cidr} has no free address: {pool.Leased} leased, {pool.Quarantined} in quarantine (free again after {context.Options.IpQuarantine})");
            }

            throw new CniException(
                CniErrorCode.PluginNotAvailable,
                $"IP pool {pool.Cidr} is exhausted: all {pool.Leased} assignable addresses are leased. Fix: delete unused pods, or give the node a larger podCIDR");
        }

        return null;
    }
}
