namespace Cni.Hcn.Windows;

/// <summary>
/// The kinds of HCN object that computenetwork.dll exposes with the same export family
/// (Enumerate/Create/Open/Modify/Query/Delete/Close). Used to route a call through the seam.
/// </summary>
internal enum HcnObjectKind
{
    Network,
    Endpoint,
    Namespace,
    LoadBalancer,
    SdnRoute,
}
