namespace Cni.Spec;

/// <summary>The forms CNI_NETNS takes (reference §8.2).</summary>
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
