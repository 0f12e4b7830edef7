namespace Cni.Node.Peers;

/// <summary>A Node that gets no route, and why (a malformed or missing annotation names the field).</summary>
/// <param name="NodeName">The Node.</param>
/// <param name="Reason">What is missing or wrong, precisely enough to fix it.</param>
public sealed record SkippedPeer(string NodeName, string Reason);
