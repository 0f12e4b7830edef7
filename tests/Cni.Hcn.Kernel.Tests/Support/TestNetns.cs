namespace Cni.Hcn.Kernel.Tests.Support;

/// <summary>
/// Network namespaces a test run creates, all named with one unique run prefix (<c>wkt&lt;6 hex&gt;-</c>) so that
/// <see cref="Dispose"/> (called from fixture teardown, also after failures) and <see cref="SweepRun"/> remove every
/// one of them, and with them every link inside. Nothing is created in the root namespace.
/// </summary>
internal sealed class TestNetns : IDisposable
{
    private readonly List<string> _names = [];

    public TestNetns()
    {
        Prefix = $"wkt{Random.Shared.Next(0x1000000):x6}-";
    }

    /// <summary>The run prefix every namespace name starts with.</summary>
    public string Prefix { get; }

    /// <summary>Creates <c>/var/run/netns/&lt;prefix&gt;&lt;suffix&gt;</c> with lo up and returns its path.</summary>
    public string Create(string suffix)
    {
        var name = Prefix + suffix;
        KernelTestGuard.Run("ip", $"netns add {name}");
        _names.Add(name);
        KernelTestGuard.Run("ip", $"-n {name} link set lo up");
        return PathOf(suffix);
    }

    /// <summary>The path of a namespace of this run.</summary>
    public string PathOf(string suffix) => $"/var/run/netns/{Prefix}{suffix}";

    /// <summary>The name of a namespace of this run (for <c>ip -n</c>).</summary>
    public string NameOf(string suffix) => Prefix + suffix;

    /// <summary>Runs <c>ip -n &lt;ns&gt; …</c>.</summary>
    public string Ip(string suffix, string arguments) => KernelTestGuard.Run("ip", $"-n {Prefix}{suffix} {arguments}");

    /// <summary>Runs nft inside a namespace of this run.</summary>
    public string Nft(string suffix, string arguments, bool check = true) =>
        KernelTestGuard.Run("nsenter", $"--net={PathOf(suffix)} nft {arguments}", check: check);

    /// <summary>Deletes one namespace now.</summary>
    public void Delete(string suffix)
    {
        KernelTestGuard.Run("ip", $"netns del {Prefix}{suffix}", check: false);
        _names.Remove(Prefix + suffix);
    }

    public void Dispose()
    {
        foreach (var name in _names.ToList())
        {
            KernelTestGuard.Run("ip", $"netns del {name}", check: false);
        }

        _names.Clear();
        SweepRun();
    }

    /// <summary>Deletes any namespace of this run that is still listed (e.g. one a test created behind our back).</summary>
    public void SweepRun()
    {
        if (!Directory.Exists("/var/run/netns"))
        {
            return;
        }

        foreach (var file in Directory.GetFiles("/var/run/netns", Prefix + "*"))
        {
            KernelTestGuard.Run("ip", $"netns del {Path.GetFileName(file)}", check: false);
        }
    }
}
