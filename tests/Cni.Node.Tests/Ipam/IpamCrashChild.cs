using System.Globalization;
using Cni.Node.Configuration;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

/// <summary>
/// The process the crash test kills: it plays the daemon's IPAM, running waves of 200 concurrent ADDs (a quarter
/// of them DEL'd right after) until it is SIGKILLed. It reports on stdout: <c>REQ id</c> before each ADD starts,
/// <c>ACK id v4 v6</c> after an ADD returned, <c>DEL id</c> before a DEL starts, <c>REL id</c> after it returned.
/// </summary>
internal static class IpamCrashChild
{
    public const string Verb = "ipam-crash-child";
    public const int Concurrency = 200;

    /// <summary>Options shared by the child and the verifying parent. A small threshold makes compactions frequent.</summary>
    public static IpamOptions Options(string stateDir) => new()
    {
        StateDirectory = stateDir,
        Mode = NetworkMode.L2Bridge,
        PodCidrs = ["10.244.0.0/16", "fd00:10:244::/64"],
        CompactionThresholdBytes = 32 * 1024,

        // Long enough that no address may legitimately be reused during the test: every ACK must be unique.
        QuarantinePeriod = TimeSpan.FromHours(1),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var stateDir = args[0];
        var round = int.Parse(args[1], CultureInfo.InvariantCulture);
        var output = Console.Out;
        await using var store = await IpamStore.OpenAsync(Options(stateDir), TimeProvider.System, null, CancellationToken.None);
        var owner = new LeaseOwner(IpamTestData.Network);
        for (var wave = 0; ; wave++)
        {
            var currentWave = wave;
            await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(i => Task.Run(async () =>
            {
                var key = new LeaseKey(string.Create(CultureInfo.InvariantCulture, $"r{round}w{currentWave}i{i}"), "eth0");
                output.WriteLine($"REQ {key.ContainerId}");
                var lease = await store.ReserveDurableAsync(key, owner, CancellationToken.None);
                output.WriteLine($"ACK {key.ContainerId} {lease.IPv4!.Address} {lease.IPv6!.Address}");
                if (i % 4 == 0)
                {
                    output.WriteLine($"DEL {key.ContainerId}");
                    await store.ReleaseAsync(key, CancellationToken.None);
                    output.WriteLine($"REL {key.ContainerId}");
                }
            })));
        }
    }
}
