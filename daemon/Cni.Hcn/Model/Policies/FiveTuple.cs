namespace Cni.Hcn.Model.Policies;

/// <summary>The filter of an L4WFPPROXY policy.</summary>
public sealed record FiveTuple
{
    /// <summary>Protocol numbers as text.</summary>
    public string? Protocols { get; init; }

    /// <summary>Local addresses.</summary>
    public string? LocalAddresses { get; init; }

    /// <summary>Remote addresses.</summary>
    public string? RemoteAddresses { get; init; }

    /// <summary>Local ports.</summary>
    public string? LocalPorts { get; init; }

    /// <summary>Remote ports.</summary>
    public string? RemotePorts { get; init; }

    /// <summary>Priority.</summary>
    public ushort Priority { get; init; }
}
