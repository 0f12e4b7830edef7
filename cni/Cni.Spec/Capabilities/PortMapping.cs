namespace Cni.Spec.Capabilities;

/// <summary>One <c>portMappings</c> entry: host port → container port. Protocol is normalised to lower case.</summary>
public sealed record PortMapping
{
    public required int HostPort { get; init; }

    public required int ContainerPort { get; init; }

    /// <summary><c>tcp</c>, <c>udp</c> or <c>sctp</c>; <c>tcp</c> when the runtime left it out.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The host address to bind, or null for all addresses (containerd sends "").</summary>
    public string? HostIp { get; init; }
}
