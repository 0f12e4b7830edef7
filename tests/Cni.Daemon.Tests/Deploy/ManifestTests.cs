using Cni.Daemon.Configuration;
using Cni.Daemon.Install;
using Cni.Daemon.Service;
using Cni.Node.Configuration;
using k8s;
using k8s.Models;

namespace Cni.Daemon.Tests.Deploy;

/// <summary>deploy/'s overlays as kubectl renders them: every object strictly a Kubernetes object, the DaemonSets as
/// issue #15 and the README's "Deploy on a cluster" describe them, and the ConfigMap accepted by wincnid's own loaders.</summary>
public sealed class ManifestTests
{
    private static IEnumerable<string> Overlays => RenderedManifests.Overlays();

    [Test]
    public void Overlays_Listed_AreTheFourVariants() =>
        Assert.That(Overlays, Is.EquivalentTo(new[] { "mixed-l2bridge", "mixed-overlay", "windows-l2bridge", "windows-overlay" }));

    [TestCaseSource(nameof(Overlays))]
    public void Render_Overlay_EveryObjectDeserializesStrictlyAndKindsAreExpected(string overlay)
    {
        var objects = RenderedManifests.RenderOverlay(overlay);

        var kinds = objects.Cast<IKubernetesObject>().Select(o => $"{o.Kind}/{((IMetadata<V1ObjectMeta>)o).Metadata.Name}").ToList();
        var expected = new List<string>
        {
            "Namespace/wincni-system", "ServiceAccount/wincni", "ClusterRole/wincni", "ClusterRoleBinding/wincni",
            "ConfigMap/wincni-config", "DaemonSet/wincni-windows",
        };
        if (overlay.StartsWith("mixed-", StringComparison.Ordinal)) expected.Add("DaemonSet/wincni-linux");
        Assert.That(kinds, Is.EquivalentTo(expected));
        Assert.That(objects.OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding)
            .Select(o => o.Metadata.NamespaceProperty), Has.All.EqualTo("wincni-system"));
    }

    [Test]
    public void StrictDeserializer_UnknownField_Fails()
    {
        // The check above means something only if a misspelt field fails.
        const string yaml = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  updateStrategey: {type: RollingUpdate}\n";
        Assert.That(() => KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true), Throws.Exception);
    }

    [TestCaseSource(nameof(Overlays))]
    public void WindowsDaemonSet_Overlay_IsHostProcessOnWindowsNodesWithProbesAndRollingUpdate(string overlay)
    {
        var ds = RenderedManifests.Single<V1DaemonSet>(RenderedManifests.RenderOverlay(overlay), "wincni-windows");
        var pod = ds.Spec.Template.Spec;

        Assert.That(pod.SecurityContext.WindowsOptions.HostProcess, Is.True);
        Assert.That(pod.SecurityContext.WindowsOptions.RunAsUserName, Is.EqualTo(@"NT AUTHORITY\SYSTEM"));
        Assert.That(pod.HostNetwork, Is.True);
        Assert.That(pod.NodeSelector, Is.EquivalentTo(new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" }));
        Assert.That(pod.Tolerations.Select(t => (t.OperatorProperty, t.Key, t.Effect)), Is.EqualTo(new[] { ("Exists", (string?)null, (string?)null) }), "one toleration for every taint");
        Assert.That(pod.PriorityClassName, Is.EqualTo("system-node-critical"));
        Assert.That(pod.ServiceAccountName, Is.EqualTo("wincni"));
        Assert.That(ds.Spec.UpdateStrategy.Type, Is.EqualTo("RollingUpdate"));
        Assert.That(ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.Value, Is.EqualTo("1"));
        Assert.That(ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge.Value, Is.EqualTo("0"), "never two wincnid on one node");

        var init = pod.InitContainers.Single();
        Assert.That(init.Command.Skip(1).First(), Is.EqualTo("install-cni"));
        Assert.That(init.Command, Does.Contain(@"C:\opt\cni\bin").And.Contain(@"C:\etc\cni\net.d"));
        var daemon = pod.Containers.Single();
        Assert.That(daemon.Command.Skip(1).Take(3), Is.EqualTo(new[] { "run", "--dataplane", "hcn" }));
        Assert.That(daemon.LivenessProbe.HttpGet.Path, Is.EqualTo("/healthz"));
        Assert.That(daemon.ReadinessProbe.HttpGet.Path, Is.EqualTo("/readyz"));
        Assert.That(daemon.LivenessProbe.HttpGet.Port.Value, Is.EqualTo(new NodeOptions().HealthAddress.Split(':')[1]), "the probes ask wincnid's default health port");
        Assert.That(daemon.Env.Single(e => e.Name == "NODE_NAME").ValueFrom.FieldRef.FieldPath, Is.EqualTo("spec.nodeName"));
        Assert.That(pod.Volumes.Select(v => v.ConfigMap?.Name), Is.EqualTo(new[] { "wincni-config" }), "HostProcess pods see the host: no hostPath");
    }

    [TestCase("mixed-overlay")]
    [TestCase("mixed-l2bridge")]
    public void LinuxDaemonSet_Mixed_MountsOnlyWhatTheKernelDataplaneNeeds(string overlay)
    {
        var ds = RenderedManifests.Single<V1DaemonSet>(RenderedManifests.RenderOverlay(overlay), "wincni-linux");
        var pod = ds.Spec.Template.Spec;
        var defaults = new NodeOptions();

        Assert.That(pod.NodeSelector["kubernetes.io/os"], Is.EqualTo("linux"));
        Assert.That(pod.HostNetwork, Is.True);
        Assert.That(pod.PriorityClassName, Is.EqualTo("system-node-critical"));
        var hostPaths = pod.Volumes.Where(v => v.HostPath is not null).ToDictionary(v => v.Name, v => v.HostPath.Path);
        Assert.That(hostPaths.Values, Is.EquivalentTo(new[]
        {
            "/run/netns", "/opt/cni/bin", "/etc/cni/net.d", defaults.StateDir, Path.GetDirectoryName(defaults.Socket),
        }));
        var daemon = pod.Containers.Single();
        var netns = daemon.VolumeMounts.Single(m => hostPaths.GetValueOrDefault(m.Name) == "/run/netns");
        Assert.That(netns.MountPropagation, Is.EqualTo("HostToContainer"));
        Assert.That(daemon.VolumeMounts.Where(m => hostPaths.ContainsKey(m.Name)).Select(m => m.MountPath),
            Is.EquivalentTo(new[] { "/run/netns", defaults.StateDir, Path.GetDirectoryName(defaults.Socket) }), "the daemon sees the state and socket where its defaults put them");
        Assert.That(pod.InitContainers.Single().VolumeMounts.Where(m => hostPaths.ContainsKey(m.Name)).Select(m => hostPaths[m.Name]),
            Is.EquivalentTo(new[] { "/opt/cni/bin", "/etc/cni/net.d" }), "the installer gets the CNI directories only");
        Assert.That(daemon.LivenessProbe.HttpGet.Path, Is.EqualTo("/healthz"));
        Assert.That(daemon.ReadinessProbe.HttpGet.Path, Is.EqualTo("/readyz"));
        Assert.That(ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge.Value, Is.EqualTo("0"));
    }

    [TestCaseSource(nameof(Overlays))]
    public void Namespace_Overlay_EnforcesPrivilegedPodSecurity(string overlay)
    {
        var ns = RenderedManifests.Single<V1Namespace>(RenderedManifests.RenderOverlay(overlay));
        Assert.That(ns.Metadata.Labels["pod-security.kubernetes.io/enforce"], Is.EqualTo("privileged"), "HostProcess and privileged pods need it");
    }

    [TestCaseSource(nameof(Overlays))]
    public void ConfigMap_Overlay_NodeConfigLoadsAndConflistRenders(string overlay)
    {
        var map = RenderedManifests.Single<V1ConfigMap>(RenderedManifests.RenderOverlay(overlay), "wincni-config");

        var options = NodeConfigLoader.Parse(map.Data["node.yaml"], "ConfigMap wincni-config node.yaml");
        Assert.That(options.Mode, Is.EqualTo(overlay.EndsWith("l2bridge", StringComparison.Ordinal) ? NetworkMode.L2Bridge : NetworkMode.Overlay));
        var rendered = ConflistRenderer.Render(map.Data[InstallPaths.DefaultConflistName], "ConfigMap", options.NetworkName, options.Socket);
        Assert.That(rendered, Does.Contain("\"type\": \"wincni\"").And.Contain("\"socket\""));
        Assert.That(map.Data.Keys, Is.EquivalentTo(new[] { "node.yaml", InstallPaths.DefaultConflistName }));
        Assert.That(map.Data[InstallPaths.DefaultConflistName], Is.EqualTo(ConflistRenderer.DefaultConflist), "every overlay ships the same conflist");
    }

    [Test]
    public void Conflist_DeployBase_EqualsTheInstallersDefault() =>
        Assert.That(File.ReadAllText(Path.Combine(RenderedManifests.DeployDirectory, "base", InstallPaths.DefaultConflistName)), Is.EqualTo(ConflistRenderer.DefaultConflist));

    [Test]
    public void SystemdUnit_DeployFile_EqualsWhatInstallServiceWrites() =>
        Assert.That(
            File.ReadAllText(Path.Combine(RenderedManifests.DeployDirectory, "systemd", "wincnid.service")),
            Is.EqualTo(SystemdUnit.Render(new ServiceDefinition("/usr/local/bin/wincnid", ["run", "--dataplane", "kernel", "--config", "/etc/wincni/node.yaml"]))));
}
