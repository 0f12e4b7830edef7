using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cni.Hcn;
using Cni.Hcn.Model;
using Cni.Hcn.Model.Policies;

namespace Cni.Node.Services;

/// <summary>
/// Overlay ClusterIP "VIP endpoints", as kube-proxy's winkernel makes them (kubernetes pkg/proxy/winkernel/proxier.go,
/// syncProxyRules: "No existing remote endpoint" for svcInfo.ClusterIP()): per cluster IP a remote endpoint with the
/// host's MAC and this node's address as provider address, created only when no endpoint of the network holds that IP,
/// shared by every load balancer of the cluster IP and deleted when none is wanted any more.
/// </summary>
/// <remarks>
/// Where wincni differs on purpose: one endpoint per cluster IP under an ID it recognises after a restart
/// (<see cref="ClusterIpEndpointIds"/>), not a per-sync refcount that forgets it; an endpoint someone else made with the
/// cluster IP is neither adopted nor deleted (winkernel reuses it untracked, and leaks it); one whose provider address
/// is no longer this node's is replaced; and a failure to make it does not hold back the Service's load balancers
/// (winkernel skips the whole Service for that sync): it is not one of their backends.
/// </remarks>
public sealed partial class LoadBalancerReconciler
{
    /// <summary>How the key of an overlay ClusterIP endpoint's <see cref="ObjectFailure"/> starts (then the cluster IP).</summary>
    public const string VipKeyPrefix = "vip-endpoint/";

    // Overlay: per cluster IP, how many desired ClusterIP load balancers (of every Service) have it as frontend.
    private readonly Dictionary<IPAddress, int> _vipReferences = [];

    // Cluster IPs whose endpoint the last passes could not bring in line (failed, backing off): every pass looks again.
    private readonly HashSet<IPAddress> _vipPending = [];

    /// <summary>
    /// Brings the cluster-IP counts up to date with the Services planned this pass (all of them when
    /// <paramref name="planAll"/>) and returns the cluster IPs whose endpoint may need a write.
    /// </summary>
    private HashSet<IPAddress> CountVips(LoadBalancerPassInput input, bool planAll, List<int> work, List<ServicePlanState> removed, LoadBalancerHcnView view)
    {
        var candidates = new HashSet<IPAddress>(_vipPending);
        if (planAll)
        {
            _vipReferences.Clear();
            if (input.Overlay)
            {
                foreach (var i in work)
                {
                    CountVips(input.Services[i], 1, candidates);
                }
            }

            candidates.UnionWith(_vipReferences.Keys);
            candidates.UnionWith(view.OwnedVip.Keys);
            return candidates;
        }

        if (input.Overlay)
        {
            // A Service's previous translation is still in _states (Settle replaces it at the end of the pass).
            foreach (var i in work)
            {
                var translation = input.Services[i];
                var before = _states.GetValueOrDefault(translation.Service)?.Translation;
                if (ReferenceEquals(before, translation))
                {
                    continue;
                }

                if (before is not null)
                {
                    CountVips(before, -1, candidates);
                }

                CountVips(translation, 1, candidates);
            }

            foreach (var state in removed)
            {
                CountVips(state.Translation, -1, candidates);
            }
        }

        return candidates;
    }

    private void CountVips(ServiceTranslation translation, int delta, HashSet<IPAddress> touched)
    {
        foreach (var lb in translation.LoadBalancers)
        {
            if (lb.Kind == FrontendKind.ClusterIp && lb.Vip is { AddressFamily: AddressFamily.InterNetwork } vip)
            {
                var count = _vipReferences.GetValueOrDefault(vip) + delta;
                if (count > 0)
                {
                    _vipReferences[vip] = count;
                }
                else
                {
                    _vipReferences.Remove(vip);
                }

                touched.Add(vip);
            }
        }
    }

    /// <summary>Splits <paramref name="candidates"/> into endpoints to create (or replace: wrong provider address) and to delete.</summary>
    private (List<IPAddress> Ensure, List<IPAddress> Delete) PlanVips(LoadBalancerPassInput input, HashSet<IPAddress> candidates, LoadBalancerHcnView view)
    {
        var ensure = new List<IPAddress>();
        var delete = new List<IPAddress>();
        foreach (var vip in candidates)
        {
            // Without this node's address there is no provider address to give it (winkernel does not start without one).
            var wanted = input.Overlay && input.LocalProviderAddress is not null && _vipReferences.ContainsKey(vip);
            if (view.OwnedVip.TryGetValue(vip, out var have))
            {
                if (!wanted)
                {
                    delete.Add(vip);
                }
                else if (!Equals(have.ProviderAddress, input.LocalProviderAddress))
                {
                    ensure.Add(vip);
                }
                else
                {
                    _vipPending.Remove(vip);
                }
            }
            else if (wanted && !view.Foreign.ContainsKey(vip))
            {
                ensure.Add(vip);
            }
            else
            {
                // Not wanted and not there, or someone else's endpoint holds the IP: nothing to do, ever.
                _vipPending.Remove(vip);
            }
        }

        return (ensure, delete);
    }

    /// <summary>Creates (or, with a wrong provider address, deletes and creates) the VIP endpoint of each of <paramref name="vips"/>.</summary>
    /// <returns>Endpoints created, HCN writes attempted, and whether one failed.</returns>
    private async Task<(int Created, int Writes, bool Failed)> EnsureVipsAsync(
        List<IPAddress> vips, LoadBalancerPassInput input, LoadBalancerHcnView view, ConcurrentBag<ObjectFailure> failures, CancellationToken cancellationToken)
    {
        var done = new ConcurrentBag<(IPAddress Vip, Guid Id)>();
        var stuck = new ConcurrentBag<IPAddress>();
        var writes = 0;
        var failed = false;
        var providerAddress = input.LocalProviderAddress!;
        await RunAsync(vips, async (vip, ct) =>
        {
            var key = VipKeyPrefix + vip;
            if (_backoff.NotBefore(key) is { } retryAt)
            {
                failures.Add(new ObjectFailure(key, $"ClusterIP endpoint {vip} failed earlier; retried after {retryAt:O}", retryAt));
                stuck.Add(vip);
                return;
            }

            var endpoint = VipEndpoint(vip, providerAddress, input.NetworkId);
            var step = "creating";
            try
            {
                if (view.OwnedVip.TryGetValue(vip, out var have))
                {
                    // Its provider address is no longer this node's (the node's address changed): HCN cannot change it in place.
                    step = "deleting (to recreate with provider address " + providerAddress + ")";
                    Interlocked.Increment(ref writes);
                    await _hcn.DeleteEndpointIfExistsAsync(have.Id, ct).ConfigureAwait(false);
                    step = "recreating";
                }

                Interlocked.Increment(ref writes);
                await _hcn.CreateEndpointAsync(input.NetworkId, endpoint, ct).ConfigureAwait(false);
                done.Add((vip, endpoint.Id));
                _backoff.Succeeded(key);
                Log.VipEndpointCreated(_logger, vip.ToString(), providerAddress.ToString());
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                failures.Add(Fail(key, $"{step} ClusterIP endpoint {vip} ({endpoint.Id:D}): {ex.Message}", ex));
                stuck.Add(vip);
                failed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (var (vip, id) in done)
        {
            view.SetVip(vip, id, providerAddress);
            _vipPending.Remove(vip);
        }

        // A failed recreate may have deleted it; the next pass lists (a write failed) and finds out.
        _vipPending.UnionWith(stuck);
        return (done.Count, writes, failed);
    }

    /// <summary>Deletes the owned VIP endpoint of each of <paramref name="vips"/> (no ClusterIP load balancer wants it any more).</summary>
    /// <returns>Endpoints deleted, HCN writes attempted, and whether one failed.</returns>
    private async Task<(int Deleted, int Writes, bool Failed)> DeleteVipsAsync(
        List<IPAddress> vips, LoadBalancerHcnView view, ConcurrentBag<ObjectFailure> failures, CancellationToken cancellationToken)
    {
        var done = new ConcurrentBag<IPAddress>();
        var stuck = new ConcurrentBag<IPAddress>();
        var writes = 0;
        var failed = false;
        await RunAsync(vips, async (vip, ct) =>
        {
            var key = VipKeyPrefix + vip;
            var id = view.OwnedVip[vip].Id;
            try
            {
                Interlocked.Increment(ref writes);
                await _hcn.DeleteEndpointIfExistsAsync(id, ct).ConfigureAwait(false);
                done.Add(vip);
                _backoff.Succeeded(key);
                Log.VipEndpointDeleted(_logger, vip.ToString());
            }
            catch (Exception ex) when (IsObjectFailure(ex, ct))
            {
                failures.Add(Fail(key, $"deleting ClusterIP endpoint {vip} ({id:D}): {ex.Message}", ex));
                stuck.Add(vip);
                failed = true;
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (var vip in done)
        {
            view.RemoveVip(vip);
            _vipPending.Remove(vip);
        }

        _vipPending.UnionWith(stuck);
        return (done.Count, writes, failed);
    }

    private HostComputeEndpoint VipEndpoint(IPAddress vip, IPAddress providerAddress, Guid networkId) => new()
    {
        Id = ClusterIpEndpointIds.IdOf(vip),
        Name = ClusterIpEndpointIds.NameOf(vip),
        HostComputeNetwork = networkId,
        Flags = EndpointFlags.RemoteEndpoint,
        MacAddress = _options.HostMac,
        IpConfigurations = [new IpConfig { IpAddress = vip.ToString() }],
        Policies = [EndpointPolicy.Create(new ProviderAddressPolicySetting { ProviderAddress = providerAddress.ToString() })],
    };
}
