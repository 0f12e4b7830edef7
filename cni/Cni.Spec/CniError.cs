using System.Text.Json.Serialization;

namespace Cni.Spec;

/// <summary>
/// The error document a plugin prints on stdout when it fails: <c>{"cniVersion","code","msg","details"}</c>.
/// <c>cniVersion</c> is included (the spec asks for it; the reference library leaves it out and runtimes ignore it)
/// and <c>details</c> is omitted when null.
/// </summary>
public sealed record CniError
{
    /// <summary>The version the error is reported in; null leaves the key out.</summary>
    [JsonPropertyName("cniVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CniVersion { get; init; }

    [JsonPropertyName("code")]
    public required CniErrorCode Code { get; init; }

    [JsonPropertyName("msg")]
    public required string Msg { get; init; }

    [JsonPropertyName("details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Details { get; init; }

    /// <summary>Creates an error document.</summary>
    public static CniError Create(CniErrorCode code, string msg, string? details = null, string? cniVersion = null) =>
        new() { Code = code, Msg = msg, Details = details, CniVersion = cniVersion };
}
