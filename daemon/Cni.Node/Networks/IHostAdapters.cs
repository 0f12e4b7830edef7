namespace Cni.Node.Networks;

/// <summary>The host's network adapters, in the order the system lists them (the first match of a selector wins).</summary>
public interface IHostAdapters
{
    /// <summary>Lists the adapters now.</summary>
    IReadOnlyList<HostAdapter> List();
}
