namespace Cni.Node.Services;

/// <summary>One thing about a Service the translation could not honour exactly.</summary>
/// <param name="Kind">What it is (a metric label).</param>
/// <param name="Message">The specifics, precise enough to act on (for status and log).</param>
public sealed record ServiceCondition(ServiceConditionKind Kind, string Message);
