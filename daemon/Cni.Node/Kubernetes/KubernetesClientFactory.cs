using System.Net;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;

namespace Cni.Node.Kubernetes;

/// <summary>
/// Builds the <see cref="k8s.Kubernetes"/> client. Search order: an explicit kubeconfig; in-cluster
/// (<c>KUBERNETES_SERVICE_HOST</c> and the service account at <c>/var/run/secrets/kubernetes.io/serviceaccount</c>);
/// a Windows HostProcess container's sandbox mount (<c>%CONTAINER_SANDBOX_MOUNT_POINT%\var\run\secrets\…</c>);
/// <c>KUBECONFIG</c>; <c>~/.kube/config</c>. <see cref="KubernetesAccessOptions.ApiServer"/> overrides the host in every case.
/// </summary>
public sealed class KubernetesClientFactory
{
    /// <summary>Where kubelet mounts the service account in a pod.</summary>
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    private readonly Func<string, string?> _environment;
    private readonly string _serviceAccountDirectory;
    private readonly string? _homeDirectory;

    /// <summary>Creates a factory that reads the process environment and the real file system.</summary>
    public KubernetesClientFactory()
        : this(Environment.GetEnvironmentVariable, ServiceAccountDirectory, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
    {
    }

    /// <summary>Creates a factory with a substitute environment (tests).</summary>
    /// <param name="environment">Environment variable lookup.</param>
    /// <param name="serviceAccountDirectory">The in-cluster service account directory.</param>
    /// <param name="homeDirectory">The home directory holding <c>.kube/config</c>, or null.</param>
    internal KubernetesClientFactory(Func<string, string?> environment, string serviceAccountDirectory, string? homeDirectory)
    {
        _environment = environment;
        _serviceAccountDirectory = serviceAccountDirectory;
        _homeDirectory = homeDirectory;
    }

    /// <summary>Builds a client.</summary>
    /// <param name="options">The access options.</param>
    /// <returns>The client; the caller disposes it.</returns>
    /// <exception cref="KubernetesAccessException">No usable configuration; the message says which file or variable.</exception>
    public k8s.Kubernetes Create(KubernetesAccessOptions options) => new(BuildConfiguration(options));

    /// <summary>Builds the client configuration (exposed so callers and tests can see which host and source won).</summary>
    /// <param name="options">The access options.</param>
    /// <exception cref="KubernetesAccessException">No usable configuration; the message says which file or variable.</exception>
    public KubernetesClientConfiguration BuildConfiguration(KubernetesAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var apiServer = ParseApiServer(options.ApiServer);
        var configuration = Resolve(options, apiServer);
        if (apiServer is not null)
        {
            configuration.Host = apiServer.ToString();
        }

        configuration.HttpClientTimeout = options.RequestTimeout;
        if (SendsCredentialsInClearText(configuration) && !options.AllowInsecureApiServer)
        {
            throw new KubernetesAccessException(
                $"API server {configuration.Host} is plain http:// and the configuration carries credentials (a bearer token or a password) that would cross the network in clear text; "
                + "use an https:// URL, or pass --allow-insecure-api-server if the network to it is private");
        }

        return configuration;
    }

    /// <summary>
    /// Whether requests to <paramref name="configuration"/>'s host would carry a token or password over plain http.
    /// (A client certificate is never sent without TLS, so it is no leak.)
    /// </summary>
    public static bool SendsCredentialsInClearText(KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var plain = Uri.TryCreate(configuration.Host, UriKind.Absolute, out var host) && host.Scheme == Uri.UriSchemeHttp;
        return plain
            && (!string.IsNullOrEmpty(configuration.AccessToken) || configuration.TokenProvider is not null
                || !string.IsNullOrEmpty(configuration.Username) || !string.IsNullOrEmpty(configuration.Password));
    }

    private KubernetesClientConfiguration Resolve(KubernetesAccessOptions options, Uri? apiServer)
    {
        if (!string.IsNullOrEmpty(options.KubeconfigPath))
        {
            return FromKubeconfig(options.KubeconfigPath, options, apiServer, "the kubeconfig option");
        }

        var serviceHost = _environment("KUBERNETES_SERVICE_HOST");
        var sandbox = _environment("CONTAINER_SANDBOX_MOUNT_POINT");
        var sandboxDirectory = string.IsNullOrEmpty(sandbox)
            ? null
            : Path.Combine(sandbox, "var", "run", "secrets", "kubernetes.io", "serviceaccount");
        if (!string.IsNullOrEmpty(serviceHost))
        {
            var directory = File.Exists(Path.Combine(_serviceAccountDirectory, "token")) || sandboxDirectory is null
                ? _serviceAccountDirectory
                : sandboxDirectory;
            return FromServiceAccount(directory, apiServer ?? InClusterHost(serviceHost));
        }

        if (sandboxDirectory is not null && File.Exists(Path.Combine(sandboxDirectory, "token")))
        {
            return FromServiceAccount(sandboxDirectory, apiServer ?? throw new KubernetesAccessException(
                $"HostProcess service account found at {sandboxDirectory} but KUBERNETES_SERVICE_HOST is not set; set the API server URL option"));
        }

        var kubeconfigVariable = _environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(kubeconfigVariable))
        {
            // KUBECONFIG may list several files; like kubectl, the first one that exists is used (no merging here).
            var files = kubeconfigVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            var first = files.FirstOrDefault(File.Exists)
                ?? throw new KubernetesAccessException($"KUBECONFIG names no existing file ({kubeconfigVariable})");
            return FromKubeconfig(first, options, apiServer, "KUBECONFIG");
        }

        var home = _homeDirectory is null ? null : Path.Combine(_homeDirectory, ".kube", "config");
        if (home is not null && File.Exists(home))
        {
            return FromKubeconfig(home, options, apiServer, "the default location");
        }

        throw new KubernetesAccessException(
            "no Kubernetes access configured: no kubeconfig option, KUBERNETES_SERVICE_HOST is not set (not in a pod), "
            + $"CONTAINER_SANDBOX_MOUNT_POINT is not set, KUBECONFIG is not set and {home ?? "~/.kube/config"} does not exist");
    }

    private static Uri? ParseApiServer(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new KubernetesAccessException($"API server override '{text}' is not an absolute http(s) URL");
    }

    private Uri InClusterHost(string host)
    {
        var port = _environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(port))
        {
            throw new KubernetesAccessException("KUBERNETES_SERVICE_HOST is set but KUBERNETES_SERVICE_PORT is not");
        }

        if (!ushort.TryParse(port, out var portNumber) || portNumber == 0)
        {
            throw new KubernetesAccessException($"KUBERNETES_SERVICE_PORT '{port}' is not a port number");
        }

        var hostText = IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]"
            : host;
        return Uri.TryCreate($"https://{hostText}:{portNumber}", UriKind.Absolute, out var uri)
            ? uri
            : throw new KubernetesAccessException($"KUBERNETES_SERVICE_HOST '{host}' is not a host name or address");
    }

    private static KubernetesClientConfiguration FromServiceAccount(string directory, Uri host)
    {
        var tokenPath = Path.Combine(directory, "token");
        var caPath = Path.Combine(directory, "ca.crt");
        if (!File.Exists(tokenPath))
        {
            throw new KubernetesAccessException($"service account token {tokenPath} does not exist (is automountServiceAccountToken off?)");
        }

        if (!File.Exists(caPath))
        {
            throw new KubernetesAccessException($"service account CA certificate {caPath} does not exist");
        }

        if (string.IsNullOrWhiteSpace(File.ReadAllText(tokenPath)))
        {
            throw new KubernetesAccessException($"service account token {tokenPath} is empty");
        }

        var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(caPath);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or InvalidOperationException or FormatException or IOException or ArgumentException)
        {
            throw new KubernetesAccessException($"service account CA certificate {caPath} is not a PEM certificate: {e.Message}", e);
        }

        if (ca.Count == 0)
        {
            throw new KubernetesAccessException($"service account CA certificate {caPath} holds no certificate");
        }

        return new KubernetesClientConfiguration
        {
            Host = host.ToString(),
            SslCaCerts = ca,

            // Projected tokens rotate; the file provider re-reads the file before it expires.
            TokenProvider = new TokenFileAuth(tokenPath),
        };
    }

    private static KubernetesClientConfiguration FromKubeconfig(string path, KubernetesAccessOptions options, Uri? apiServer, string source)
    {
        if (!File.Exists(path))
        {
            throw new KubernetesAccessException($"kubeconfig {path} (from {source}) does not exist");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, options.Context, apiServer?.ToString());
        }
        catch (Exception e) when (e is KubeConfigException or IOException or FormatException or ArgumentException or InvalidOperationException
            or YamlDotNet.Core.YamlException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            var context = options.Context is null ? string.Empty : $" (context '{options.Context}')";
            throw new KubernetesAccessException($"kubeconfig {path}{context} (from {source}) is not usable: {e.Message}", e);
        }
    }
}
