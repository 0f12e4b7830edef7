using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

/// <summary>ADD's IPAM path (reserve, then wait for the fsync) for tests that only need a durable lease.</summary>
internal static class IpamStoreTestExtensions
{
    public static async Task<IpLease> ReserveDurableAsync(this IIpamStore store, LeaseKey key, LeaseOwner owner, CancellationToken cancellationToken)
    {
        var reservation = await store.ReserveAsync(key, owner, cancellationToken).ConfigureAwait(false);
        await reservation.Durable.ConfigureAwait(false);
        return reservation.Lease;
    }
}
