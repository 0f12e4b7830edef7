namespace Cni.Hcn.Kernel.Nftables;

/// <summary>One element of a named set or map in the services table: the key as nft text, and the value for a map.</summary>
/// <param name="Set">The set's or map's name in the services table.</param>
/// <param name="Key">The key, e.g. <c>10.96.0.10 . tcp . 53</c>, <c>tcp . 30080</c> or <c>10.96.0.10 . tcp . 53 . 2</c>.</param>
/// <param name="Value">The value in a map, e.g. <c>10.244.1.5 . 8080</c>; null in a set.</param>
internal readonly record struct NftElement(string Set, string Key, string? Value = null)
{
    /// <summary>The element as nft writes it inside <c>{ }</c> (with its value when adding, without when deleting).</summary>
    public string Text(bool withValue) => withValue && Value is not null ? Key + " : " + Value : Key;
}
