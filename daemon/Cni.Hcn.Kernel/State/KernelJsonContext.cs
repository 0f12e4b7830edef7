using System.Text.Json.Serialization;

namespace Cni.Hcn.Kernel.State;

/// <summary>Source-generated JSON for KernelHcn's own state records (HCN objects use the model's context).</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(NamespaceBinding))]
internal sealed partial class KernelJsonContext : JsonSerializerContext;
