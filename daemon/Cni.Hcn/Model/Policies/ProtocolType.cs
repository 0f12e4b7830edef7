namespace Cni.Hcn.Model.Policies;

/// <summary>IP protocol number, a number on the wire (PortMapping, L4Proxy, load-balancer port mappings).</summary>
public enum ProtocolType : uint
{
    /// <summary>Unknown / any.</summary>
    Unknown = 0,

    /// <summary>ICMPv4.</summary>
    Icmpv4 = 1,

    /// <summary>IGMP.</summary>
    Igmp = 2,

    /// <summary>TCP.</summary>
    Tcp = 6,

    /// <summary>UDP.</summary>
    Udp = 17,

    /// <summary>ICMPv6.</summary>
    Icmpv6 = 58,
}
