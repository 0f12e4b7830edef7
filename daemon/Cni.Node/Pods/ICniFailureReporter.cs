using Cni.Spec;

namespace Cni.Node.Pods;

/// <summary>Told about every failed CNI command; reports those a person must act on (Kubernetes Events).</summary>
public interface ICniFailureReporter
{
    /// <summary>Called after <paramref name="request"/> failed with <paramref name="failure"/>, answered as <paramref name="error"/>.
    /// Must not block or throw.</summary>
    void Report(PluginRequest request, Exception failure, CniError error);
}
