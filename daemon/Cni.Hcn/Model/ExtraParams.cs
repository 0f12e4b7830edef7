using System.Text.Json;

namespace Cni.Hcn.Model;

/// <summary>The <c>Extra</c> part of <see cref="Health"/>; informational output, safe to leave empty on create.</summary>
public sealed record ExtraParams
{
    /// <summary>Raw resources document.</summary>
    public JsonElement? Resources { get; init; }

    /// <summary>Raw shared-containers document.</summary>
    public JsonElement? SharedContainers { get; init; }

    /// <summary>LayeredOn.</summary>
    public string? LayeredOn { get; init; }

    /// <summary>SwitchGuid.</summary>
    public string? SwitchGuid { get; init; }

    /// <summary>UtilityVM.</summary>
    public string? UtilityVM { get; init; }

    /// <summary>VirtualMachine.</summary>
    public string? VirtualMachine { get; init; }
}
