namespace Cni.Hcn.Model;

/// <summary>
/// The places where hcsshim, MS-docs and SDN-psm1 disagree, each decided once here. Verify on a real Windows host and
/// change the one line; readers always accept both spellings.
/// </summary>
public static class HcnSchemaChoices
{
    /// <summary>
    /// The array of routes in a HostComputeRoute. MS-docs and SDN-psm1 say <c>"Routes"</c>; hcsshim sends
    /// <c>"Setting"</c>. Written as this name; the other one is accepted on read.
    /// </summary>
    public const string SdnRouteArrayName = "Routes";

    /// <summary>The other spelling of <see cref="SdnRouteArrayName"/>, derived so that only <see cref="SdnRouteArrayName"/> needs editing.</summary>
    public const string SdnRouteArrayAlternateName = SdnRouteArrayName == "Routes" ? "Setting" : "Routes";

    /// <summary>
    /// The exception list of an L4Proxy policy. hcsshim says <c>"Exceptions"</c>; MS-docs and SDN-psm1 say
    /// <c>"ExceptionList"</c>. Written as this name; the other one is accepted on read.
    /// </summary>
    public const string L4ProxyExceptionsName = "Exceptions";

    /// <summary>The other spelling of <see cref="L4ProxyExceptionsName"/>.</summary>
    public const string L4ProxyExceptionsAlternateName = L4ProxyExceptionsName == "Exceptions" ? "ExceptionList" : "Exceptions";

    /// <summary>
    /// The outbound-NAT switch of an L4Proxy policy. hcsshim says <c>"OutboundNAT"</c>; MS-docs and SDN-psm1 say
    /// <c>"OutboundNat"</c>. Reads are case-insensitive, so only the written casing depends on this.
    /// </summary>
    public const string L4ProxyOutboundNatName = "OutboundNAT";

    /// <summary>
    /// The largest RemoteSubnetRoute <c>IsolationId</c> (VNI) we send. hcsshim types it uint16 (65535); MS-docs
    /// say uint32 (<see cref="uint.MaxValue"/>). The model field is <see cref="uint"/> so both read.
    /// </summary>
    public const uint RemoteSubnetRouteMaxIsolationId = ushort.MaxValue;

    /// <summary>
    /// The key inside a namespace resource's <c>Data</c>. hcsshim uses <c>"ID"</c>; MS-docs say <c>"Id"</c>.
    /// Reads are case-insensitive, so only the written casing depends on this.
    /// </summary>
    public const string NamespaceResourceDataIdName = "ID";

    /// <summary>
    /// The schema version every object and query is sent with. hcsshim uses 2.0 (Windows Server 2019 and later
    /// understand it); SDN-psm1 uses 2.2. A 1.0 query would return HNS v1 shapes.
    /// </summary>
    public const uint SchemaMajor = 2;

    /// <summary>See <see cref="SchemaMajor"/>.</summary>
    public const uint SchemaMinor = 0;
}
