namespace Cni.Node.Configuration;

/// <summary>One direction of the pods' firewall (node config <c>firewall.inbound</c> / <c>firewall.outbound</c>).</summary>
public sealed record FirewallDirectionOptions
{
    /// <summary>What happens to traffic the allow list does not match.</summary>
    public FirewallAction Default { get; init; } = FirewallAction.Allow;

    /// <summary>Traffic that passes although <see cref="Default"/> is Block.</summary>
    public IReadOnlyList<FirewallRule> Allow { get; init; } = [];
}
