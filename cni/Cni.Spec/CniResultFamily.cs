namespace Cni.Spec;

/// <summary>
/// Result formats that share one structure. A prevResult must be of the config's family (0.3.1 config with a 1.1.0
/// prevResult is a decode error); inside a family versions parse into each other.
/// </summary>
public enum CniResultFamily
{
    /// <summary>0.3.0, 0.3.1 and 0.4.0: <c>ips[].version</c> is required.</summary>
    V03,

    /// <summary>1.0.0 and 1.1.0: no <c>ips[].version</c>; 1.1.0 adds interface and route fields.</summary>
    V1,
}
