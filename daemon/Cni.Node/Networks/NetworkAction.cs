namespace Cni.Node.Networks;

/// <summary>What <see cref="PodNetwork.EnsureAsync"/> did with the node's HCN network.</summary>
public enum NetworkAction
{
    /// <summary>Nothing: the node's facts are not known yet, or HNS could not be asked.</summary>
    None,

    /// <summary>No network of that name existed; it was created.</summary>
    Created,

    /// <summary>A matching network existed and is used as is.</summary>
    Adopted,

    /// <summary>A network of that name differed but had no endpoints; it was deleted and created anew.</summary>
    Recreated,

    /// <summary>A network of that name differs and has endpoints; left alone, the node stays not ready.</summary>
    Conflict,
}
