namespace Cni.Node.Pods;

/// <summary>
/// A CNI command stopped because its token was cancelled, after rolling back what it had made. It names the step that
/// was running; the caller that set the deadline names the deadline (see <c>CniEndpoint</c>).
/// </summary>
public sealed class CniCommandCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The step that was running.</param>
    /// <param name="cancelled">The cancellation that stopped it.</param>
    public CniCommandCancelledException(CniStep step, OperationCanceledException cancelled)
        : base("the command was cancelled " + step.Describe(), cancelled, cancelled?.CancellationToken ?? CancellationToken.None)
    {
        Step = step;
    }

    /// <summary>The step that was running.</summary>
    public CniStep Step { get; }
}
