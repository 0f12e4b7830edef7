using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cni.Spec.Json;

/// <summary>
/// Source-generated serialization metadata for every document Cni.Spec writes. The executable is NativeAOT, so no
/// reflection-based serialization is allowed: every JsonSerializer call passes a JsonTypeInfo from here.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CniError))]
[JsonSerializable(typeof(ResultDocumentV03))]
[JsonSerializable(typeof(ResultDocumentV100))]
[JsonSerializable(typeof(ResultDocumentV110))]
internal sealed partial class CniJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The instance Cni.Spec writes with: relaxed escaping keeps quotes and non-ASCII readable in error messages (the
    /// output goes to a runtime's JSON decoder, never into HTML).
    /// </summary>
    public static CniJsonContext Output { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
