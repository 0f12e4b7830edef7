namespace Cni.Hcn.Model.Policies;

/// <summary>The filter of an L4WFPPROXY policy.</summary>
public sealed record FiveTuple
{
    /// <summary>Protocol numbers as text.</summary>
    public string? Protocols { get; init; }

    public string? LocalAddresses { get; init; }

    public string? RemoteAddresses { get; init; }

    public string? LocalPorts { get; init; }

    public string? RemotePorts { get; init; }

    public ushort Priority { get; init; }
}
