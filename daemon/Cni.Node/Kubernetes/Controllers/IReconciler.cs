namespace Cni.Node.Kubernetes.Controllers;

/// <summary>Brings the world in line with the desired state for one key. Throwing means "retry later, with backoff".</summary>
/// <typeparam name="TKey">The key type.</typeparam>
public interface IReconciler<in TKey>
{
    /// <summary>Reconciles one key. Must be idempotent: it runs again on resync and after failures.</summary>
    /// <returns>The work.</returns>
    Task ReconcileAsync(TKey key, CancellationToken cancellationToken);
}
