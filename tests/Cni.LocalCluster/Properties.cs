// The local cluster is made of Linux network namespaces, veth and nftables; nothing here runs elsewhere.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
