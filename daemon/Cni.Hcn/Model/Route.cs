namespace Cni.Hcn.Model;

/// <summary>A route of a <see cref="Subnet"/> or an endpoint (<c>{"NextHop","DestinationPrefix","Metric"}</c>, all omitted when empty).</summary>
public sealed record Route
{
    /// <summary>Gateway address.</summary>
    public string? NextHop { get; init; }

    /// <summary>Destination CIDR, e.g. <c>0.0.0.0/0</c>.</summary>
    public string? DestinationPrefix { get; init; }

    /// <summary>Route metric (0 = omitted).</summary>
    public ushort Metric { get; init; }
}
