using Cni.Spec.Results;

namespace Cni.Node.Tests.Pods;

/// <summary>A parsed ADD result beside the exact bytes it came from.</summary>
internal sealed record CniResultView(CniResult Parsed, byte[] Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);
}
