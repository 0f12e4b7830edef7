namespace Cni.Hcn.Model.Requests;

/// <summary>Settings of an endpoint modify request with resource type Port (VM / utility-VM NIC attach).</summary>
public sealed record VmEndpointRequest
{
    /// <summary>The switch port.</summary>
    public Guid PortId { get; init; }

    /// <summary>The VM NIC's name.</summary>
    public string? VirtualNicName { get; init; }

    /// <summary>The VM.</summary>
    public Guid VirtualMachineId { get; init; }
}
