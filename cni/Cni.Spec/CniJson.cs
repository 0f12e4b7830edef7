using System.Globalization;
using System.Text.Json;
using Cni.Spec.Json;
using Cni.Spec.Results;

namespace Cni.Spec;

/// <summary>
/// The JSON documents a plugin prints (errors, results) and reads back (results from the daemon or a cache).
/// Everything goes through <see cref="CniJsonContext"/> (source-generated; NativeAOT-safe).
/// </summary>
public static class CniJson
{
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 64 };

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The error document as UTF-8 JSON: cniVersion (when set), code, msg, details (when set).</summary>
    public static byte[] Serialize(CniError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return JsonSerializer.SerializeToUtf8Bytes(error, CniJsonContext.Output.CniError);
    }

    /// <summary>
    /// The result in its own <see cref="CniResult.CniVersion"/>, with only the fields that version defines:
    /// 0.3.x/0.4.0 get <c>ips[].version</c> derived from the address family; 1.0.0 has no 1.1-only interface or route
    /// fields; 1.x leaves out an empty dns. Throws code 999 for a result that breaks an invariant (never emits an
    /// out-of-range interface index).
    /// </summary>
    public static byte[] Serialize(CniResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.FindProblem() is { } problem)
        {
            throw new CniException(CniErrorCode.Internal, "invalid CNI result: " + problem);
        }

        var context = CniJsonContext.Output;
        return CniVersion.FamilyOf(result.CniVersion) switch
        {
            CniResultFamily.V03 => JsonSerializer.SerializeToUtf8Bytes(ResultDocuments.ToV03(result), context.ResultDocumentV03),
            _ when result.CniVersion == CniVersion.V100 => JsonSerializer.SerializeToUtf8Bytes(ResultDocuments.ToV100(result), context.ResultDocumentV100),
            _ => JsonSerializer.SerializeToUtf8Bytes(ResultDocuments.ToV110(result), context.ResultDocumentV110),
        };
    }

    /// <summary>The result converted to <paramref name="cniVersion"/> (code 1 when that version is unknown).</summary>
    public static byte[] Serialize(CniResult result, string cniVersion)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Serialize(result.ConvertTo(cniVersion));
    }

    /// <summary>
    /// Parses a result document of any supported version. A document without cniVersion is taken to be
    /// <paramref name="assumedVersion"/>. Every problem is code 6 naming the field.
    /// </summary>
    public static CniResult ParseResult(ReadOnlyMemory<byte> json, string? assumedVersion = null)
    {
        using var document = ParseDocument(json, "result");
        return ResultParser.Parse(document.RootElement, "", assumedVersion, null, CniErrorCode.DecodingFailure);
    }

    /// <summary>Parses an error document (e.g. from the daemon); code 6 when it is not one.</summary>
    public static CniError ParseError(ReadOnlyMemory<byte> json)
    {
        using var document = ParseDocument(json, "error");
        var root = document.RootElement;
        const CniErrorCode code = CniErrorCode.DecodingFailure;
        JsonFields.ExpectObject(root, "", code);
        string? version = null, msg = null, details = null;
        long? errorCode = null;
        foreach (var p in root.EnumerateObject())
        {
            var name = JsonFields.Name(p, "", code);
            switch (name)
            {
                case "cniVersion": version = JsonFields.OptString(p.Value, name, code); break;
                case "code": errorCode = JsonFields.OptInteger(p.Value, name, code, 1, int.MaxValue); break;
                case "msg": msg = JsonFields.OptString(p.Value, name, code); break;
                case "details": details = JsonFields.OptString(p.Value, name, code); break;
                default: break;
            }
        }

        if (errorCode is not { } c)
        {
            throw JsonFields.Error(code, "code", "is required");
        }

        return CniError.Create((CniErrorCode)c, msg ?? "", details, version);
    }

    /// <summary>
    /// Parses JSON into a document, turning every parser failure (syntax, depth, invalid UTF-8) into code 6.
    /// </summary>
    internal static JsonDocument ParseDocument(ReadOnlyMemory<byte> json, string what)
    {
        // A UTF-8 byte order mark (Windows tools like to write one) carries no content; Go's decoder would choke on
        // it, but nothing is gained by failing here.
        if (json.Span.StartsWith(Utf8Bom))
        {
            json = json[Utf8Bom.Length..];
        }

        if (json.IsEmpty)
        {
            throw new CniException(CniErrorCode.DecodingFailure, "error decoding " + what + ": empty input");
        }

        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new CniException(CniErrorCode.DecodingFailure, "error decoding " + what + ": input is not valid UTF-8");
        }

        try
        {
            return JsonDocument.Parse(json, ReadOptions);
        }
        catch (JsonException e)
        {
            // The position is built here because the NativeAOT executable strips exception texts to resource keys
            // (UseSystemResourceKeys); the library's text still goes into details for whoever can read it.
            var where = e.LineNumber is { } line && e.BytePositionInLine is { } column
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {column + 1}")
                : "";
            throw new CniException(CniErrorCode.DecodingFailure, "error decoding " + what + ": invalid JSON" + where, e.Message);
        }
    }
}
