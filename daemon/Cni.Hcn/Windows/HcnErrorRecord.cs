using System.Text.Json;

namespace Cni.Hcn.Windows;

/// <summary>
/// The <c>ErrorRecord</c> text HNS returns next to an HRESULT, e.g.
/// <c>{"Success":false,"Error":"An address provided is invalid or reserved. ","ErrorCode":2151350319}</c>
/// (reference §11.1; <c>ErrorCode</c> is the HRESULT as an unsigned decimal). Non-JSON text is kept verbatim.
/// </summary>
internal sealed record HcnErrorRecord(string Text, string? Error, int? ErrorCode)
{
    public static HcnErrorRecord Parse(string text)
    {
        string? error = null;
        int? code = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    // HNS casing is not guaranteed (reference §2.5): match case-insensitively.
                    if (string.Equals(property.Name, "Error", StringComparison.OrdinalIgnoreCase))
                    {
                        error = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                    }
                    else if (string.Equals(property.Name, "ErrorCode", StringComparison.OrdinalIgnoreCase))
                    {
                        code = ReadCode(property.Value);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the message.
        }

        return new HcnErrorRecord(text, string.IsNullOrWhiteSpace(error) ? null : error.Trim(), code);
    }

    private static int? ReadCode(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetUInt32(out var unsigned))
            {
                return unchecked((int)unsigned);
            }

            if (value.TryGetInt32(out var signed))
            {
                return signed;
            }
        }

        return null;
    }
}
