using System.Text.RegularExpressions;

namespace Cni.StandInApiServer.Resources;

/// <summary>The object-name rules of the real API server (apimachinery validation), with its messages.</summary>
internal static partial class NameValidation
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>Null when <paramref name="name"/> is valid for <paramref name="type"/>, else the reason.</summary>
    public static string? Check(ResourceType type, string name) => type.Plural switch
    {
        "namespaces" => name.Length <= 63 && Label().IsMatch(name) ? null : LabelMessage,
        "services" => name.Length <= 63 && Dns1035().IsMatch(name) ? null : Dns1035Message,
        _ => name.Length <= 253 && Subdomain().IsMatch(name) ? null : SubdomainMessage,
    };

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();
}
