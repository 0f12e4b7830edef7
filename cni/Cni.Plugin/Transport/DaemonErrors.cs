using System.Globalization;
using System.Text;
using Cni.Spec;

namespace Cni.Plugin.Transport;

/// <summary>Turns a daemon's non-2xx answer into the CNI error document the runtime gets.</summary>
internal static class DaemonErrors
{
    private const int MaxQuotedBytes = 512;

    public static CniError FromResponse(DaemonResponse response)
    {
        try
        {
            return CniJson.ParseError(response.Body);
        }
        catch (CniException)
        {
            // Not a CNI error document: an overloaded or restarting daemon (503) is worth a retry; anything else is
            // a bug worth reporting with what the daemon said.
            var code = response.StatusCode == 503 ? CniErrorCode.TryAgainLater : CniErrorCode.Internal;
            var quoted = Encoding.UTF8.GetString(response.Body.AsSpan(0, Math.Min(response.Body.Length, MaxQuotedBytes)));
            return CniError.Create(
                code,
                "wincnid returned an invalid error response",
                string.Create(CultureInfo.InvariantCulture, $"HTTP {response.StatusCode}: {quoted}"));
        }
    }
}
