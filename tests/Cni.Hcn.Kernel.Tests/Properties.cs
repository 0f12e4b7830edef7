using System.Runtime.Versioning;

// The code under test is Linux-only; the kernel tests themselves check for Linux and root at run time.
[assembly: SupportedOSPlatform("linux")]
