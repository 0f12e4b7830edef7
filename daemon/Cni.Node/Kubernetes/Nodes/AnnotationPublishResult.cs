namespace Cni.Node.Kubernetes.Nodes;

/// <summary>The outcome of one <see cref="NodeAnnotationPublisher.PublishAsync"/> (for status and /readyz).</summary>
/// <param name="Succeeded">The Node carries the annotations (patched now, or already did).</param>
/// <param name="Patched">A PATCH was sent and accepted (false when nothing differed).</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="Error">The last error, when not succeeded.</param>
/// <param name="At">When the outcome was decided.</param>
public sealed record AnnotationPublishResult(bool Succeeded, bool Patched, int Attempts, string? Error, DateTimeOffset At);
