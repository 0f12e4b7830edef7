using System.Text.Json.Serialization;

namespace Cni.Hcn.Kernel.State;

/// <summary>Source-generated JSON for KernelHcn's own state records (HCN objects use the model's context).</summary>
// Not indented: a binding is one value inside a one-line store record.
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(NamespaceBinding))]
internal sealed partial class KernelJsonContext : JsonSerializerContext;
