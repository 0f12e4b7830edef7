using System.Runtime.Versioning;

// Everything here speaks to the Linux kernel (rtnetlink, setns, nftables); CA1416 keeps callers honest.
[assembly: SupportedOSPlatform("linux")]
