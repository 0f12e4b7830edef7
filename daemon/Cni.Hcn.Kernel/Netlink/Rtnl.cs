namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// rtnetlink numbers (linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, neighbour.h). Only what KernelHcn uses.
/// </summary>
internal static class Rtnl
{
    // nlmsghdr types and flags
    public const ushort NlmsgNoop = 1;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;

    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFMulti = 0x2;
    public const ushort NlmFAck = 0x4;
    public const ushort NlmFDump = 0x300;
    public const ushort NlmFReplace = 0x100;
    public const ushort NlmFExcl = 0x200;
    public const ushort NlmFCreate = 0x400;
    public const ushort NlmFAppend = 0x800;
    public const ushort NlmFAckTlvs = 0x200;

    public const int NlmsgHeaderLength = 16;
    public const ushort NlmsgErrAttrMsg = 1;

    // message types
    public const ushort RtmNewLink = 16;
    public const ushort RtmDelLink = 17;
    public const ushort RtmGetLink = 18;
    public const ushort RtmNewAddr = 20;
    public const ushort RtmDelAddr = 21;
    public const ushort RtmGetAddr = 22;
    public const ushort RtmNewRoute = 24;
    public const ushort RtmDelRoute = 25;
    public const ushort RtmGetRoute = 26;
    public const ushort RtmNewNeigh = 28;
    public const ushort RtmDelNeigh = 29;
    public const ushort RtmGetNeigh = 30;

    // address families
    public const byte AfUnspec = 0;
    public const byte AfInet = 2;
    public const byte AfBridge = 7;
    public const byte AfInet6 = 10;

    // ifinfomsg
    public const uint IffUp = 0x1;
    public const int IfInfoMsgLength = 16;

    // IFLA_*
    public const ushort IflaAddress = 1;
    public const ushort IflaIfname = 3;
    public const ushort IflaMtu = 4;
    public const ushort IflaLink = 5;
    public const ushort IflaMaster = 10;
    public const ushort IflaOperstate = 16;
    public const ushort IflaLinkinfo = 18;
    public const ushort IflaGroup = 27;
    public const ushort IflaNetNsFd = 28;

    public const ushort IflaInfoKind = 1;
    public const ushort IflaInfoData = 2;
    public const ushort IflaInfoSlaveData = 5;
    public const ushort IflaBrportMode = 4;

    public const ushort VethInfoPeer = 1;

    public const ushort IflaVxlanId = 1;
    public const ushort IflaVxlanLink = 3;
    public const ushort IflaVxlanLocal = 4;
    public const ushort IflaVxlanLearning = 7;
    public const ushort IflaVxlanPort = 15;

    /// <summary>IFLA_MACVLAN_MODE (linux/if_link.h), inside IFLA_INFO_DATA of a macvlan.</summary>
    public const ushort IflaMacvlanMode = 1;

    /// <summary>MACVLAN_MODE_BRIDGE: macvlans of one lower device reach each other directly.</summary>
    public const uint MacvlanModeBridge = 4;

    // ifaddrmsg + IFA_*
    public const int IfAddrMsgLength = 8;
    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaFlags = 8;
    public const byte IfaFNodad = 0x02;

    // rtmsg + RTA_*
    public const int RtMsgLength = 12;
    public const ushort RtaDst = 1;
    public const ushort RtaOif = 4;
    public const ushort RtaGateway = 5;
    public const ushort RtaPriority = 6;
    public const ushort RtaTable = 15;

    public const byte RtTableMain = 254;
    public const byte RtprotBoot = 3;
    public const byte RtprotStatic = 4;
    public const byte RtScopeUniverse = 0;
    public const byte RtScopeLink = 253;
    public const byte RtnUnicast = 1;
    public const uint RtnhFOnlink = 4;

    // ndmsg + NDA_*
    public const int NdMsgLength = 12;
    public const ushort NdaDst = 1;
    public const ushort NdaLladdr = 2;
    public const ushort NudPermanent = 0x80;
    public const byte NtfSelf = 0x02;

    public const ushort NlaFNested = 0x8000;
    public const ushort NlaTypeMask = 0x3fff;
}
