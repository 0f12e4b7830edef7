namespace Cni.Hcn.Kernel.State;

/// <summary>Which Linux network namespace an HCN namespace stands for.</summary>
/// <param name="Path">The nsfs path (bind mount) of the namespace.</param>
/// <param name="Owned">KernelHcn created it (and deletes it with the HCN namespace); false for adopted paths.</param>
/// <param name="IsHost">The host (node) namespace itself: attaching there moves nothing.</param>
internal sealed record NamespaceBinding(string Path, bool Owned, bool IsHost);
