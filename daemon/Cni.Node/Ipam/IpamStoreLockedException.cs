namespace Cni.Node.Ipam;

/// <summary>Another process (or another store in this process) already has the IPAM state directory open.</summary>
public sealed class IpamStoreLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>.</summary>
    public IpamStoreLockedException(string directory, Exception? innerException = null)
        : base($"stateDir: the IPAM state in '{directory}' is locked by another wincnid; only one daemon may own a state directory. Stop the other daemon or use a different stateDir.", innerException)
    {
        Directory = directory;
    }

    /// <summary>The locked IPAM directory.</summary>
    public string Directory { get; }
}
