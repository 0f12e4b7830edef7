using Cni.Hcn.Errors;
using Cni.Node.Ipam;
using Cni.Node.Policies;
using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>
/// Turns any failure of a CNI command into the CNI error the runtime sees: the spec's code, a message that names the
/// field or the cause and the fix, and the raw facts (HRESULT, HNS error record, operation) in <c>details</c>.
/// </summary>
public static class CniErrors
{
    /// <summary>Whether an HCN failure is worth retrying (HNS stopping, busy, timing out).</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>True when transient.</returns>
    public static bool IsTransient(HcnException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.IsTransient;
    }

    /// <summary>The CNI error for <paramref name="exception"/>, reported in <paramref name="cniVersion"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="cniVersion">The request's version.</param>
    public static CniError From(Exception exception, string? cniVersion)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var error = exception switch
        {
            CniException cni => cni.Error,
            IpamExhaustedException exhausted => CniError.Create(CniErrorCode.TryAgainLater, exhausted.Message, $"pool={exhausted.Cidr}"),
            IpamJournalException journal => CniError.Create(
                CniErrorCode.TryAgainLater,
                "IPAM journal write failed; nothing was allocated. Check the state directory's disk (space, read-only or immutable files); wincnid recovers the journal by itself once the disk accepts writes again.",
                journal.Message),
            HcnException hcn => FromHcn(hcn),
            EndpointPolicyException policy => CniError.Create(CniErrorCode.InvalidNetworkConfig, policy.Message),
            ArgumentException argument => FromArgument(argument),
            OperationCanceledException => CniError.Create(
                CniErrorCode.TryAgainLater, "the request was cancelled (wincnid is shutting down or the caller gave up); nothing is left half-done, retry"),
            _ => CniError.Create(CniErrorCode.Internal, "internal error in wincnid: " + exception.Message, exception.GetType().FullName),
        };
        return error with { CniVersion = cniVersion ?? error.CniVersion };
    }

    /// <summary>The CNI error for an HCN failure: 11 when transient, 999 otherwise; message with cause and fix.</summary>
    /// <param name="exception">The failure.</param>
    public static CniError FromHcn(HcnException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var code = IsTransient(exception) ? CniErrorCode.TryAgainLater : CniErrorCode.Internal;
        return CniError.Create(code, exception.Message, exception.Facts);
    }

    private static CniError FromArgument(ArgumentException exception) => exception.ParamName switch
    {
        "containerId" => CniError.Create(CniErrorCode.InvalidEnvironmentVariables, "CNI_CONTAINERID: " + StripField(exception)),
        "ifName" => CniError.Create(CniErrorCode.InvalidEnvironmentVariables, "CNI_IFNAME: " + StripField(exception)),
        "netns" => CniError.Create(CniErrorCode.InvalidEnvironmentVariables, "CNI_NETNS: " + StripField(exception)),
        "podNamespace" => CniError.Create(CniErrorCode.InvalidEnvironmentVariables, "CNI_ARGS: K8S_POD_NAMESPACE: " + StripField(exception)),
        "podName" => CniError.Create(CniErrorCode.InvalidEnvironmentVariables, "CNI_ARGS: K8S_POD_NAME: " + StripField(exception)),
        "networkName" => CniError.Create(CniErrorCode.InvalidNetworkConfig, "name: " + StripField(exception)),
        _ => CniError.Create(CniErrorCode.InvalidNetworkConfig, exception.Message),
    };

    // ArgumentException appends " (Parameter 'x')"; the IPAM messages already start with "field: ".
    private static string StripField(ArgumentException exception)
    {
        var message = exception.Message;
        var suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            message = message[..suffix];
        }

        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon >= 0 ? message[(colon + 2)..] : message;
    }
}
