namespace Cni.Spec;

/// <summary>
/// The error codes of the CNI specification (SPEC.md "Error"). Codes 0–99 are reserved by the spec; 9, 10 and 12–49
/// are unassigned, so no member exists for them and nothing in wincni may emit them.
/// </summary>
public enum CniErrorCode
{
    /// <summary>The config's cniVersion is not supported, or the command is not allowed for that version.</summary>
    IncompatibleCniVersion = 1,

    /// <summary>A known but unsupported field in the network config; the message must include the key and value.</summary>
    UnsupportedField = 2,

    /// <summary>The container is unknown or does not exist; the runtime needs no clean-up.</summary>
    UnknownContainer = 3,

    /// <summary>A missing or invalid CNI_* environment variable (including CNI_ARGS); the message names it.</summary>
    InvalidEnvironmentVariables = 4,

    /// <summary>An I/O failure, e.g. reading stdin.</summary>
    IoFailure = 5,

    /// <summary>Content could not be decoded (JSON, version string, prevResult).</summary>
    DecodingFailure = 6,

    /// <summary>The network configuration failed validation.</summary>
    InvalidNetworkConfig = 7,

    /// <summary>Library code: CNI_NETNS is the plugin's own network namespace.</summary>
    InvalidNetNs = 8,

    /// <summary>A transient condition; the runtime should retry later.</summary>
    TryAgainLater = 11,

    /// <summary>STATUS: the plugin cannot serve ADD.</summary>
    PluginNotAvailable = 50,

    /// <summary>STATUS: the plugin cannot serve ADD and existing containers may have limited connectivity.</summary>
    LimitedConnectivity = 51,

    /// <summary>Library code: wraps a non-CNI failure (a bug or an unexpected condition).</summary>
    Internal = 999,
}
