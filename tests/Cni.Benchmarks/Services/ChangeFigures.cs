namespace Cni.Benchmarks.Services;

/// <summary>What a run of single-endpoint changes measured.</summary>
/// <param name="Times">Event → pass done, milliseconds, sorted.</param>
/// <param name="Exact">Changes whose pass wrote exactly the affected objects.</param>
/// <param name="Reads">HCN reads over all changes.</param>
/// <param name="Rpcs">HCN calls as HNS RPCs over all changes.</param>
/// <param name="Wrong">The operations of the first change that wrote anything else, or null.</param>
/// <param name="Operations">Every change's operations together (counts and time inside the calls).</param>
internal sealed record ChangeFigures(List<double> Times, int Exact, long Reads, long Rpcs, HcnOperationCounts? Wrong, HcnOperationCounts Operations, List<NftTransactions> Nftables);
