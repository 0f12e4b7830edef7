namespace Cni.Daemon.Metrics;

/// <summary>The meter of the daemon's own instruments (CNI requests on the socket, the kernel dataplane's reaper).</summary>
public static class DaemonMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "Cni.Daemon";
}
