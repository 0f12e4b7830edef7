using System.Globalization;
using System.Text;

namespace Cni.Node;

/// <summary>Renders untrusted input for error messages: bounded length, control characters escaped.</summary>
internal static class InputText
{
    private const int MaxShown = 64;

    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "<null>";
        }

        var builder = new StringBuilder(Math.Min(value.Length, MaxShown) + 8);
        foreach (var ch in value.Length > MaxShown ? value[..MaxShown] : value)
        {
            if (char.IsControl(ch))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:x4}");
            }
            else
            {
                builder.Append(ch);
            }
        }

        if (value.Length > MaxShown)
        {
            builder.Append(CultureInfo.InvariantCulture, $"... ({value.Length} chars)");
        }

        return builder.ToString();
    }
}
