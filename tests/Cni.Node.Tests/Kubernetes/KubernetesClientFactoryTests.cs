using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cni.Node.Kubernetes;

namespace Cni.Node.Tests.Kubernetes;

[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class KubernetesClientFactoryTests
{
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: a
          cluster: {server: "https://192.0.2.1:6443", insecure-skip-tls-verify: true}
        - name: b
          cluster: {server: "https://192.0.2.2:6443", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: secret}
        contexts:
        - name: ctx-a
          context: {cluster: a, user: u}
        - name: ctx-b
          context: {cluster: b, user: u}
        current-context: ctx-a
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "wincni-kube-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _environment = [];

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_root);

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private string ServiceAccountDirectory => Path.Combine(_root, "sa");

    private KubernetesClientFactory Factory(string? home = null) =>
        new(name => _environment.GetValueOrDefault(name), ServiceAccountDirectory, home ?? Path.Combine(_root, "home"));

    private string WriteKubeconfig(string text = Kubeconfig, string name = "config")
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void WriteServiceAccount(string directory, bool token = true, bool ca = true)
    {
        Directory.CreateDirectory(directory);
        if (token)
        {
            File.WriteAllText(Path.Combine(directory, "token"), "eyJ.token");
        }

        if (ca)
        {
            using var key = ECDsa.Create();
            using var certificate = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(directory, "ca.crt"), certificate.ExportCertificatePem());
        }
    }

    [Test]
    public void BuildConfiguration_ExplicitKubeconfig_UsesItsCurrentContext()
    {
        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions(WriteKubeconfig()));

        Assert.That(configuration.Host, Is.EqualTo("https://192.0.2.1:6443"));
        Assert.That(configuration.AccessToken, Is.EqualTo("secret"));
    }

    [Test]
    public void BuildConfiguration_HttpApiServerWithBearerToken_RefusedNamingTheHostAndTheFlag()
    {
        var ex = Assert.Throws<KubernetesAccessException>(() =>
            Factory().BuildConfiguration(new KubernetesAccessOptions(WriteKubeconfig(), ApiServer: "http://192.0.2.9:8080")));

        Assert.That(ex!.Message, Does.Contain("http://192.0.2.9:8080").And.Contain("clear text").And.Contain("--allow-insecure-api-server"));
    }

    [Test]
    public void BuildConfiguration_HttpInClusterServiceAccount_Refused()
    {
        WriteServiceAccount(ServiceAccountDirectory);
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";

        Assert.Throws<KubernetesAccessException>(() => Factory().BuildConfiguration(new KubernetesAccessOptions(ApiServer: "http://10.0.0.1:8080")));
    }

    [Test]
    public void BuildConfiguration_HttpApiServerWithTokenAndExplicitlyAllowed_BuildsAndSaysItIsInsecure()
    {
        var configuration = Factory().BuildConfiguration(
            new KubernetesAccessOptions(WriteKubeconfig(), ApiServer: "http://192.0.2.9:8080") { AllowInsecureApiServer = true });

        Assert.That(configuration.Host, Does.StartWith("http://192.0.2.9:8080"));
        Assert.That(KubernetesClientFactory.SendsCredentialsInClearText(configuration), Is.True);
    }

    [Test]
    public void BuildConfiguration_HttpApiServerWithoutCredentials_Allowed()
    {
        const string Anonymous = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: a
              cluster: {server: "http://127.0.0.1:8080"}
            contexts:
            - name: a
              context: {cluster: a}
            current-context: a
            users: []
            """;

        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions(WriteKubeconfig(Anonymous)));

        Assert.That(KubernetesClientFactory.SendsCredentialsInClearText(configuration), Is.False);
    }

    [Test]
    public void BuildConfiguration_ContextAndApiServerOverride_Applied()
    {
        var path = WriteKubeconfig();

        var byContext = Factory().BuildConfiguration(new KubernetesAccessOptions(path, Context: "ctx-b"));
        var overridden = Factory().BuildConfiguration(new KubernetesAccessOptions(path, ApiServer: "https://198.51.100.7:6443"));

        Assert.That(byContext.Host, Is.EqualTo("https://192.0.2.2:6443"));
        Assert.That(overridden.Host, Is.EqualTo("https://198.51.100.7:6443/"));
    }

    [Test]
    public void BuildConfiguration_RequestTimeout_SetOnClientConfiguration()
    {
        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions(WriteKubeconfig()) { RequestTimeout = TimeSpan.FromSeconds(7) });

        Assert.That(configuration.HttpClientTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public void BuildConfiguration_KubeconfigMissing_NamesFile()
    {
        var path = Path.Combine(_root, "nope.yaml");

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions(path)),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(path).And.Message.Contains("does not exist"));
    }

    [Test]
    public void BuildConfiguration_KubeconfigMalformedOrUnknownContext_NamesFile()
    {
        var garbage = WriteKubeconfig(": : not yaml [", "garbage");
        var good = WriteKubeconfig();

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions(garbage)),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(garbage));
        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions(good, Context: "ctx-z")),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains("ctx-z"));
    }

    [Test]
    public void BuildConfiguration_InCluster_ServiceHostAndToken()
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";
        WriteServiceAccount(ServiceAccountDirectory);

        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions());

        Assert.That(configuration.Host, Is.EqualTo("https://10.96.0.1/"));
        Assert.That(configuration.TokenProvider, Is.Not.Null);
        Assert.That(configuration.SslCaCerts, Has.Count.EqualTo(1));
    }

    [Test]
    public void BuildConfiguration_InClusterWithApiServerOverride_OverrideWins()
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";
        WriteServiceAccount(ServiceAccountDirectory);

        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions(ApiServer: "https://192.0.2.50:6443"));

        Assert.That(configuration.Host, Is.EqualTo("https://192.0.2.50:6443/"));
    }

    [Test]
    public void BuildConfiguration_InClusterIpv6Host_Bracketed()
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "fd00::1";
        _environment["KUBERNETES_SERVICE_PORT"] = "6443";
        WriteServiceAccount(ServiceAccountDirectory);

        Assert.That(Factory().BuildConfiguration(new KubernetesAccessOptions()).Host, Is.EqualTo("https://[fd00::1]:6443/"));
    }

    [Test]
    public void BuildConfiguration_InClusterTokenMissing_NamesTokenFile()
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";
        WriteServiceAccount(ServiceAccountDirectory, token: false);

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(Path.Combine(ServiceAccountDirectory, "token")));
    }

    [Test]
    public void BuildConfiguration_InClusterCaMissingOrMalformed_NamesCaFile()
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";
        WriteServiceAccount(ServiceAccountDirectory, ca: false);
        var ca = Path.Combine(ServiceAccountDirectory, "ca.crt");

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(ca));
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(ca));
    }

    [TestCase(null, "KUBERNETES_SERVICE_PORT is not")]
    [TestCase("http", "KUBERNETES_SERVICE_PORT 'http'")]
    public void BuildConfiguration_InClusterBadPort_NamesVariable(string? port, string expected)
    {
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        if (port is not null)
        {
            _environment["KUBERNETES_SERVICE_PORT"] = port;
        }

        WriteServiceAccount(ServiceAccountDirectory);

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(expected));
    }

    [Test]
    public void BuildConfiguration_HostProcessSandbox_UsesSandboxServiceAccount()
    {
        var sandbox = Path.Combine(_root, "sandbox");
        _environment["CONTAINER_SANDBOX_MOUNT_POINT"] = sandbox;
        _environment["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
        _environment["KUBERNETES_SERVICE_PORT"] = "443";
        WriteServiceAccount(Path.Combine(sandbox, "var", "run", "secrets", "kubernetes.io", "serviceaccount"));

        var configuration = Factory().BuildConfiguration(new KubernetesAccessOptions(ApiServer: "https://192.0.2.50:6443"));

        Assert.That(configuration.Host, Is.EqualTo("https://192.0.2.50:6443/"));
        Assert.That(configuration.SslCaCerts, Has.Count.EqualTo(1));
    }

    [Test]
    public void BuildConfiguration_SandboxWithoutServiceHostOrOverride_SaysWhatToSet()
    {
        var sandbox = Path.Combine(_root, "sandbox");
        _environment["CONTAINER_SANDBOX_MOUNT_POINT"] = sandbox;
        WriteServiceAccount(Path.Combine(sandbox, "var", "run", "secrets", "kubernetes.io", "serviceaccount"));

        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains("KUBERNETES_SERVICE_HOST"));
    }

    [Test]
    public void BuildConfiguration_KubeconfigVariable_Used()
    {
        _environment["KUBECONFIG"] = Path.Combine(_root, "missing") + Path.PathSeparator + WriteKubeconfig();

        Assert.That(Factory().BuildConfiguration(new KubernetesAccessOptions()).Host, Is.EqualTo("https://192.0.2.1:6443"));
    }

    [Test]
    public void BuildConfiguration_HomeKubeconfig_UsedLast()
    {
        var home = Path.Combine(_root, "home");
        Directory.CreateDirectory(Path.Combine(home, ".kube"));
        File.WriteAllText(Path.Combine(home, ".kube", "config"), Kubeconfig);

        Assert.That(Factory(home).BuildConfiguration(new KubernetesAccessOptions()).Host, Is.EqualTo("https://192.0.2.1:6443"));
    }

    [Test]
    public void BuildConfiguration_NothingConfigured_ListsWhatWasTried()
    {
        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions()),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains("KUBERNETES_SERVICE_HOST").And.Message.Contains("KUBECONFIG").And.Message.Contains(".kube"));
    }

    [TestCase("not a url")]
    [TestCase("ftp://192.0.2.1")]
    public void BuildConfiguration_BadApiServer_NamesIt(string apiServer)
    {
        Assert.That(() => Factory().BuildConfiguration(new KubernetesAccessOptions(WriteKubeconfig(), ApiServer: apiServer)),
            Throws.TypeOf<KubernetesAccessException>().With.Message.Contains(apiServer));
    }

    [Test]
    public void Create_Kubeconfig_ClientPointsAtServer()
    {
        using var client = Factory().Create(new KubernetesAccessOptions(WriteKubeconfig()));

        Assert.That(client.BaseUri, Is.EqualTo(new Uri("https://192.0.2.1:6443/")));
    }
}
