namespace Cni.Node.Dataplane;

/// <summary>The HCN namespace a pod's endpoint is attached to.</summary>
/// <param name="Id">The namespace ID.</param>
/// <param name="Created">True when the resolver created it for this request (an ADD rollback releases it).</param>
public sealed record ResolvedNamespace(Guid Id, bool Created);
