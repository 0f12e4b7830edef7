namespace Cni.Hcn.Kernel.Nftables;

/// <summary>
/// What KernelHcn has sent to the kernel's services tables (ip and ip6) since it started, for benchmarks and
/// diagnostics: one transaction per commit that changed them, and its size in set elements added and deleted.
/// </summary>
/// <param name="Transactions">nf_tables transactions that changed a services table.</param>
/// <param name="Elements">Set elements those transactions added or deleted (a full render counts every element it writes).</param>
/// <param name="OverNetlink">Of <paramref name="Transactions"/>, those sent as element changes over netlink (the rest went as nft text).</param>
/// <param name="FullRenders">Of <paramref name="Transactions"/>, those that replaced a table whole.</param>
public readonly record struct ServicesTableCounters(long Transactions, long Elements, long OverNetlink, long FullRenders)
{
    /// <summary>What happened between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static ServicesTableCounters operator -(ServicesTableCounters after, ServicesTableCounters before) =>
        new(after.Transactions - before.Transactions, after.Elements - before.Elements, after.OverNetlink - before.OverNetlink, after.FullRenders - before.FullRenders);
}
