using System.Text.Json;

namespace Cni.Spec.Capabilities;

/// <summary>
/// The <c>runtimeConfig</c> a runtime injects for capabilities the plugin enabled (CONVENTIONS.md). Keys are matched
/// case-insensitively because containerd's structs have no JSON tags and arrive in PascalCase. Unknown capabilities
/// are kept in <see cref="Raw"/>.
/// </summary>
public sealed record RuntimeConfig
{
    public IReadOnlyList<PortMapping>? PortMappings { get; init; }

    public DnsCapability? Dns { get; init; }

    /// <summary>Requested addresses, prefix optional ("10.1.2.3/24", "2001:db8::5").</summary>
    public IReadOnlyList<string>? Ips { get; init; }

    public string? Mac { get; init; }

    public BandwidthCapability? Bandwidth { get; init; }

    /// <summary>Outer list: one entry per address to allocate; inner list: candidate pools.</summary>
    public IReadOnlyList<IReadOnlyList<IpRange>>? IpRanges { get; init; }

    public string? InfinibandGuid { get; init; }

    public string? DeviceId { get; init; }

    public IReadOnlyList<string>? Aliases { get; init; }

    public string? CgroupPath { get; init; }

    /// <summary>containerd's <c>io.kubernetes.cri.pod-annotations</c>.</summary>
    public IReadOnlyDictionary<string, string>? PodAnnotations { get; init; }

    /// <summary>The whole object as received (unknown capabilities included).</summary>
    public JsonElement Raw { get; init; }
}
