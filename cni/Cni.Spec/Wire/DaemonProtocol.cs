namespace Cni.Spec.Wire;

/// <summary>
/// The plugin ↔ daemon protocol: HTTP/1.1 + JSON over a local stream socket (AF_UNIX on Linux and Windows).
/// The plugin POSTs one <see cref="DaemonRequest"/> per CNI invocation; the daemon answers 200 with exactly the
/// bytes the plugin must print on stdout (a result for ADD, nothing otherwise), or a non-2xx status whose body is
/// a CNI error document. Keeping the daemon's answer in CNI terms lets the plugin stay a verbatim forwarder.
/// </summary>
public static class DaemonProtocol
{
    /// <summary>The CNI request path; the command travels in the body so proxies and logs see one route for all five.</summary>
    public const string CniPath = "/v1/cni";

    /// <summary>GET on the socket: the daemon's status document (<c>wincnid status</c>).</summary>
    public const string StatusPath = "/v1/status";

    /// <summary>Media type of both directions.</summary>
    public const string ContentType = "application/json";

    /// <summary>The Host header value; AF_UNIX has no host, but HTTP/1.1 requires the header.</summary>
    public const string HostHeader = "wincnid";

    /// <summary>
    /// Request header: how many milliseconds the plugin will still wait for this answer. A daemon that is starting
    /// holds the request until it is ready, but answers (code 11, with the reason) before the plugin gives up.
    /// </summary>
    public const string TimeoutHeader = "Wincni-Timeout-Ms";

    /// <summary>Upper bound for a request body the daemon accepts; the plugin never sends more (stdin is capped below it).</summary>
    public const int MaxRequestBytes = 8 * 1024 * 1024;

    /// <summary>Upper bound for a response body the plugin reads; anything larger is treated as a broken daemon.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    /// <summary>Default socket path on Linux; the conflist's <c>socket</c> and wincnid --socket override it.</summary>
    public const string DefaultLinuxSocketPath = "/run/wincni/wincnid.sock";

    /// <summary>
    /// Default socket path on Windows; the conflist's <c>socket</c> and wincnid --socket override it.
    /// </summary>
    public const string DefaultWindowsSocketPath = @"C:\ProgramData\wincni\wincnid.sock";

    /// <summary>The default socket path for the running OS.</summary>
    public static string DefaultSocketPath =>
        OperatingSystem.IsWindows() ? DefaultWindowsSocketPath : DefaultLinuxSocketPath;
}
