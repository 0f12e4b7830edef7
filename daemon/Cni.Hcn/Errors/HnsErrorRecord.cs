using System.Text.Json;

namespace Cni.Hcn.Errors;

/// <summary>
/// The <c>ErrorRecord</c> HNS returns beside an HRESULT, e.g.
/// <c>{"Success":false,"Error":"An address provided is invalid or reserved. ","ErrorCode":2151350319}</c>
/// (<c>ErrorCode</c> is the HRESULT as an unsigned decimal). Text that is not JSON is kept as <see cref="Text"/>.
/// </summary>
/// <param name="Text">The record verbatim.</param>
/// <param name="Error">The <c>Error</c> message, trimmed, if any.</param>
/// <param name="ErrorCode">The <c>ErrorCode</c> as an HRESULT, if any.</param>
public sealed record HnsErrorRecord(string Text, string? Error, int? ErrorCode)
{
    /// <summary>Parses a record; never throws.</summary>
    /// <param name="text">The record text.</param>
    /// <returns>The parsed record.</returns>
    public static HnsErrorRecord Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? error = null;
        int? code = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // HNS's casing is not guaranteed: hcsshim reads with Go's case-insensitive encoding/json, which proves nothing.
                    if (string.Equals(property.Name, "Error", StringComparison.OrdinalIgnoreCase))
                    {
                        error = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                    }
                    else if (string.Equals(property.Name, "ErrorCode", StringComparison.OrdinalIgnoreCase))
                    {
                        code = property.Value.TryGetUInt32(out var u) ? unchecked((int)u)
                            : property.Value.TryGetInt32(out var s) ? s : null;
                    }
                }
            }
            else if (document.RootElement.ValueKind == JsonValueKind.String)
            {
                error = document.RootElement.GetString();
            }
        }
        catch (JsonException)
        {
            error = text;
        }

        return new HnsErrorRecord(text, string.IsNullOrWhiteSpace(error) ? null : error.Trim(), code);
    }
}
