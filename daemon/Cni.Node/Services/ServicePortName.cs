using Cni.Hcn.Model.Policies;

namespace Cni.Node.Services;

/// <summary>One port of one Service: the unit kube-proxy translates (kubernetes pkg/proxy/types.go ServicePortName).</summary>
/// <param name="Namespace">The Service's namespace.</param>
/// <param name="Name">The Service's name.</param>
/// <param name="Port">The ServicePort's name; empty for the single unnamed port.</param>
/// <param name="Protocol">TCP or UDP.</param>
public readonly record struct ServicePortName(string Namespace, string Name, string Port, ProtocolType Protocol)
{
    /// <summary><c>namespace/name:port/PROTO</c>, the stable text keys are built from.</summary>
    public override string ToString() => $"{Namespace}/{Name}:{Port}/{ProtocolText.Format(Protocol)}";
}
