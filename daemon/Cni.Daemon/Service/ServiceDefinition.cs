namespace Cni.Daemon.Service;

/// <summary>The service to install: its name and the command line it runs.</summary>
/// <param name="Executable">Absolute path of wincnid.</param>
/// <param name="Arguments">Arguments of <c>wincnid run</c> (starting with <c>run</c>).</param>
public sealed record ServiceDefinition(string Executable, IReadOnlyList<string> Arguments)
{
    /// <summary>The service (and unit) name.</summary>
    public const string Name = "wincnid";

    /// <summary>What the service manager shows.</summary>
    public const string Description = "wincni node daemon (wincnid): pod network, IPAM and service proxy for the CNI plugin wincni";
}
