using System.Text.Json.Serialization;

namespace Cni.Spec;

/// <summary>One entry of GC's <c>cni.dev/valid-attachments</c>: an attachment that is still in use.</summary>
public sealed record GcAttachment(
    [property: JsonPropertyName("containerID")] string ContainerId,
    [property: JsonPropertyName("ifname")] string IfName);
