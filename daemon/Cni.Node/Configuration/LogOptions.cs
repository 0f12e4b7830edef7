namespace Cni.Node.Configuration;

/// <summary>Daemon logging: level and format of the console log (kubelet and the HostProcess container keep it).</summary>
public sealed record LogOptions
{
    /// <summary>trace, debug, information, warning, error.</summary>
    public string Level { get; init; } = "information";

    /// <summary>text or json.</summary>
    public string Format { get; init; } = "text";
}
