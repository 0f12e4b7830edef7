using Cni.Spec;

namespace Cni.Daemon.Hosting;

/// <summary>
/// The HTTP status that carries a CNI error on the wire. The plugin prints the body either way; the status lets
/// logs, proxies and the plugin's fallback (503 = retry) tell the kinds of failure apart.
/// </summary>
public static class CniHttpStatus
{
    public static int For(CniErrorCode code) => code switch
    {
        CniErrorCode.UnknownContainer => StatusCodes.Status404NotFound,
        CniErrorCode.TryAgainLater or CniErrorCode.PluginNotAvailable or CniErrorCode.LimitedConnectivity
            => StatusCodes.Status503ServiceUnavailable,
        CniErrorCode.IoFailure or CniErrorCode.Internal => StatusCodes.Status500InternalServerError,
        _ when (int)code >= 100 && code != CniErrorCode.Internal => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };
}
