using Cni.Hcn.Errors;
using Cni.Hcn.Kernel.Namespaces;
using Cni.Hcn.Kernel.Netlink;
using Cni.Hcn.Kernel.Nftables;

namespace Cni.Hcn.Kernel;

/// <summary>
/// What a kernel-side failure means on a Linux node, for the <see cref="HcnException"/> KernelHcn throws: the HRESULT
/// catalogue's cause and fix speak of HNS and Windows event logs, which would send an operator the wrong way here.
/// </summary>
internal static class KernelErrorAdvice
{
    /// <summary>The cause and fix for <paramref name="exception"/>.</summary>
    public static HcnErrorAdvice For(Exception exception) => exception switch
    {
        NetnsException { Errno: Interop.Errno.Einval } => new(
            "EINVAL from setns: the file is not a network namespace as wincnid sees it. Most often the runtime's netns directory (/run/netns or /var/run/netns) is a bind mount that was not propagated into wincnid's mount namespace, so wincnid sees the empty placeholder file instead of the namespace.",
            "Mount the netns directory into wincnid's container with mountPropagation: HostToContainer (rslave), or run wincnid in the host's mount namespace; check with `stat -f -c %T <CNI_NETNS>` (nsfs) inside wincnid's mount namespace."),
        NetnsException { IsNotFound: true } => new(
            "The pod's network namespace file is gone: the sandbox was removed, or the path is not visible in wincnid's mount namespace.",
            "For DEL this is done; for ADD check that the runtime's netns directory is propagated into wincnid's mount namespace."),
        NetnsException or NetlinkException { Errno: Interop.Errno.Eperm or Interop.Errno.Eacces } => new(
            "The kernel refused wincnid the operation: it needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) in the node's network namespace.",
            "Run wincnid as root (privileged, hostNetwork: true, hostPID for /proc/<pid>/ns/net paths)."),
        NetlinkException { IsAlreadyExists: true } => new(
            "An interface, address or route with that name or value already exists in the namespace (left over from an earlier attachment, or made by someone else).",
            "See `ip -d link` / `ip addr` / `ip route` in the namespace named in the message; DEL and ADD again, or remove the stray object."),
        NftException => new(
            "nftables rejected wincni's batch (the 'kernel:' part has nft's message).",
            "Check `nft list ruleset` for tables changed by hand and that the nf_tables modules are loaded; wincnid rewrites its tables on the next change."),
        _ => new(
            "The Linux kernel refused the change; the 'kernel:' part of this message says what it answered.",
            "Check wincnid's log for the full error and the node's state with `ip` and `nft list ruleset`; the request can be retried."),
    };
}
