namespace Cni.Node.Services;

/// <summary>One HCN object a pass could not bring in line.</summary>
/// <param name="Key">The load-balancer key, or <c>remote-endpoint/&lt;ip&gt;</c>.</param>
/// <param name="Message">The error (for HCN: operation, object, cause and fix).</param>
/// <param name="RetryAt">When it is tried again.</param>
public sealed record ObjectFailure(string Key, string Message, DateTimeOffset RetryAt);
