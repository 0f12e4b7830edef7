using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

/// <summary>Builders shared by the IPAM tests.</summary>
internal static class IpamTestData
{
    public const string Network = "wincni";

    public static LeaseKey Key(int i, string ifName = "eth0") => new($"c{i:D4}", ifName);

    public static LeaseOwner Owner(int i = 0) => new(Network, $"/var/run/netns/ns{i}", "default", $"pod-{i}");

    public static IpamOptions Options(string stateDir, NetworkMode mode = NetworkMode.L2Bridge, params string[] cidrs) => new()
    {
        StateDirectory = stateDir,
        Mode = mode,
        PodCidrs = cidrs.Length == 0 ? ["10.244.1.0/24"] : cidrs,
    };

    public static Task<IpamStore> OpenAsync(IpamOptions options, TimeProvider? time = null) =>
        IpamStore.OpenAsync(options, time ?? new ManualTimeProvider(), null, CancellationToken.None);

    /// <summary>
    /// Asserts no duplicates in O(n); NUnit's Is.Unique compares pairwise, which takes minutes for 20 000 addresses.
    /// </summary>
    public static void AssertDistinct<T>(IEnumerable<T> items, string? message = null)
    {
        var list = items.ToList();
        Assert.That(list.Distinct().Count(), Is.EqualTo(list.Count), message ?? "duplicates found");
    }
}
