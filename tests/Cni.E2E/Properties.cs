// End to end on the Linux kernel: network namespaces, the kernel dataplane, containerd and podman.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
