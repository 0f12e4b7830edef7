namespace Cni.Hcn.Model.Policies;

/// <summary>Exceptions of an L4WFPPROXY policy.</summary>
public sealed record ProxyExceptions
{
    /// <summary>Addresses not redirected.</summary>
    public IReadOnlyList<string>? IpAddressExceptions { get; init; }

    /// <summary>Ports not redirected.</summary>
    public IReadOnlyList<string>? PortExceptions { get; init; }
}
