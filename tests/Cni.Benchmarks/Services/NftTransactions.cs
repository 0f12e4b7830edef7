namespace Cni.Benchmarks.Services;

/// <summary>KernelHcn's services-table counters as the platform-neutral bench code keeps them (a change's delta).</summary>
internal readonly record struct NftTransactions(long Transactions, long Elements, long OverNetlink, long FullRenders)
{
    public static NftTransactions operator -(NftTransactions after, NftTransactions before) =>
        new(after.Transactions - before.Transactions, after.Elements - before.Elements, after.OverNetlink - before.OverNetlink, after.FullRenders - before.FullRenders);
}
