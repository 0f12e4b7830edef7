namespace Cni.Spec;

/// <summary>
/// The forms CNI_NETNS takes: a netns path on Linux; the HCN namespace GUID containerd sends on Windows; the
/// <c>none</c> / <c>container:&lt;id&gt;</c> forms of dockershim that containernetworking/plugins pkg/hns still
/// accepts.
/// </summary>
public enum NetnsKind
{
    /// <summary>Unset or empty (DEL after the namespace is gone; GC; STATUS).</summary>
    Empty,

    /// <summary>Windows + containerd: the HCN namespace ID GUID.</summary>
    HcnNamespace,

    /// <summary>Windows, dockershim era: "none" (the pause container).</summary>
    None,

    /// <summary>Windows, dockershim era: "container:&lt;id&gt;" (share another container's namespace).</summary>
    Container,

    /// <summary>Linux: a path to a network namespace file.</summary>
    Path,

    /// <summary>Anything else; the daemon decides whether it can use it.</summary>
    Other,
}
