namespace Cni.Node.Configuration;

/// <summary>What a pod's firewall does with traffic no allow-list entry matches.</summary>
public enum FirewallAction
{
    /// <summary>Let it through (Windows containers' default in both directions).</summary>
    Allow,

    /// <summary>Drop it (an HCN ACL Block policy of the lowest precedence).</summary>
    Block,
}
