namespace Cni.Spec;

/// <summary>
/// One validated invocation: what <see cref="PluginInvocation.Parse"/> returns. Values a command does not carry are
/// empty strings (e.g. ContainerId/Netns/IfName on GC and STATUS, Netns on a DEL after the namespace is gone).
/// </summary>
public sealed record PluginRequest(
    CniCommand Command,
    string ContainerId,
    string Netns,
    string IfName,
    string CniArgsRaw,
    CniArgs Args,
    string CniPath,
    NetworkConfig Config)
{
    /// <summary>CNI_NETNS classified (HCN GUID normalised to lower case, none, container:&lt;id&gt;, a path).</summary>
    public NetnsReference NetnsReference => NetnsReference.Classify(Netns);

    /// <summary>The version results and errors for this request must be written in.</summary>
    public string CniVersion => Config.CniVersion;
}
