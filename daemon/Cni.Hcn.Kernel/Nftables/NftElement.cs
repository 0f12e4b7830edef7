namespace Cni.Hcn.Kernel.Nftables;

/// <summary>One element of a services dispatch map: the key as nft text, and the verdict it maps to.</summary>
/// <param name="Map">The map's name in the services table.</param>
/// <param name="Key">The key, e.g. <c>10.96.0.10 . tcp . 53</c> or <c>tcp . 30080</c>.</param>
/// <param name="Verdict">The verdict, e.g. <c>goto lb-…</c>.</param>
internal readonly record struct NftElement(string Map, string Key, string Verdict);
