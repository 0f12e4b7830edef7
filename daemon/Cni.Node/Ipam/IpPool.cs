using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cni.Node.Configuration;

namespace Cni.Node.Ipam;

/// <summary>
/// The layout of one pod CIDR: which addresses are reserved and why, and which are assignable to pods.
/// Immutable and cheap for any size (an IPv6 /64 is a few integers); occupancy lives in the store.
/// </summary>
/// <remarks>
/// Reservations, per mode:
/// <list type="bullet">
/// <item>Network address (offset 0), except on point-to-point prefixes (IPv4 /31 /32, IPv6 /127 /128).</item>
/// <item>Gateway: the first usable address (<c>.1</c>), every mode.</item>
/// <item>L2Bridge: the host endpoint, the second usable address (<c>.2</c>).</item>
/// <item>Overlay: the service proxy source VIP, the last usable address (<see cref="OverlaySourceVipIndexFromEnd"/>).</item>
/// <item>NAT, L2Tunnel: the gateway only (HNS puts a NAT network's gateway, <c>.1</c>, on the host's vNIC).</item>
/// <item>Transparent: the operator's gateway on the physical network instead of <c>.1</c>, and only the static pool's
/// range is assignable (<see cref="StaticPoolOptions"/>); the rest of the subnet belongs to other hosts.</item>
/// <item>IPv4 broadcast (the last address), except on /31 /32.</item>
/// </list>
/// A CIDR that leaves no assignable address is rejected, so every pool can hold at least one pod.
/// </remarks>
public sealed class IpPool
{
    /// <summary>
    /// Where the Overlay service-proxy source VIP sits, counted from the end of the usable range: 1 = the last
    /// usable address (10.244.1.254 in 10.244.1.0/24). The top of the range keeps it clear of the low addresses
    /// that next-fit allocation hands out first and of the .1/.2 conventions, and is stable for a given CIDR.
    /// </summary>
    public const int OverlaySourceVipIndexFromEnd = 1;

    private readonly UInt128 _base;
    private readonly UInt128 _lastOffset;
    private readonly Dictionary<UInt128, ReservedAddressKind> _reservedOffsets;

    private IpPool(IPNetwork cidr, NetworkMode mode, string fieldName, StaticPoolOptions? staticPool)
    {
        Cidr = cidr;
        Mode = mode;
        Family = cidr.BaseAddress.AddressFamily;
        var hostBits = IpAddressMath.BitWidth(Family) - cidr.PrefixLength;
        _base = IpAddressMath.ToUInt128(cidr.BaseAddress);
        _lastOffset = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;

        // RFC 3021 (IPv4 /31) and RFC 6164 (IPv6 /127) links have no network or broadcast address.
        var pointToPoint = hostBits <= 1;
        var firstUsable = pointToPoint ? UInt128.Zero : UInt128.One;
        var lastUsable = Family == AddressFamily.InterNetwork && !pointToPoint ? _lastOffset - 1 : _lastOffset;

        _reservedOffsets = [];
        if (!pointToPoint)
        {
            _reservedOffsets[UInt128.Zero] = ReservedAddressKind.Network;
            if (Family == AddressFamily.InterNetwork)
            {
                _reservedOffsets[_lastOffset] = ReservedAddressKind.Broadcast;
            }
        }

        var gatewayOffset = firstUsable;
        if (mode.UsesStaticPool())
        {
            (gatewayOffset, firstUsable, lastUsable) = StaticPoolOffsets(cidr, staticPool, fieldName, firstUsable, lastUsable);
        }

        var usableCount = lastUsable - firstUsable + 1;
        var roles = RoleOffsets(mode, gatewayOffset, firstUsable, lastUsable);
        if (mode.UsesStaticPool() && (gatewayOffset < firstUsable || gatewayOffset > lastUsable))
        {
            // A gateway outside the range is reserved but takes none of the range's addresses.
            usableCount += 1;
        }

        if (usableCount <= (UInt128)roles.Count)
        {
            throw new ArgumentException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{fieldName}: {cidr} is too small for {mode.ConfigName()} mode: it has {usableCount} usable address(es) and {roles.Count} are reserved ({string.Join(", ", roles.Select(r => r.Kind))}), leaving none for pods."),
                fieldName);
        }

        foreach (var (offset, kind) in roles)
        {
            _reservedOffsets[offset] = kind;
        }

        FirstAssignableOffset = firstUsable;
        LastAssignableOffset = lastUsable;
        AssignableCount = usableCount - (UInt128)roles.Count;
        Reserved = [.. _reservedOffsets.OrderBy(r => r.Key).Select(r => new ReservedAddress(AddressAt(r.Key), r.Value))];
        Gateway = AddressAt(gatewayOffset);
        HostEndpoint = Find(ReservedAddressKind.HostEndpoint);
        ServiceSourceVip = Find(ReservedAddressKind.ServiceSourceVip);
    }

    /// <summary>The pod CIDR, e.g. 10.244.1.0/24.</summary>
    public IPNetwork Cidr { get; }

    /// <summary>IPv4 or IPv6.</summary>
    public AddressFamily Family { get; }

    /// <summary>The mode whose reservation rules produced this layout.</summary>
    public NetworkMode Mode { get; }

    /// <summary>The HNS subnet gateway (first usable address).</summary>
    public IPAddress Gateway { get; }

    /// <summary>L2Bridge: the host (bridge) endpoint address, the pods' default gateway; otherwise null.</summary>
    public IPAddress? HostEndpoint { get; }

    /// <summary>Overlay: the service proxy's SNAT source VIP; otherwise null.</summary>
    public IPAddress? ServiceSourceVip { get; }

    /// <summary>Every reserved address with its role, in address order.</summary>
    public IReadOnlyList<ReservedAddress> Reserved { get; }

    /// <summary>How many addresses can be leased to pods (2^64 − 3 for an IPv6 /64 on L2Bridge).</summary>
    public UInt128 AssignableCount { get; }

    internal UInt128 FirstAssignableOffset { get; }

    internal UInt128 LastAssignableOffset { get; }

    /// <summary>
    /// Parses <paramref name="cidr"/> and lays out its reservations for <paramref name="mode"/>. Errors are
    /// <see cref="ArgumentException"/>s whose message starts with, and whose ParamName is, <paramref name="fieldName"/>.
    /// </summary>
    /// <param name="cidr">The pod CIDR (Transparent: the static pool's subnet).</param>
    /// <param name="mode">The network mode.</param>
    /// <param name="fieldName">The field errors name.</param>
    /// <param name="staticPool">Transparent: the operator's range and gateway; required there, ignored otherwise.</param>
    public static IpPool Create(string? cidr, NetworkMode mode, string fieldName = "cidr", StaticPoolOptions? staticPool = null)
    {
        var network = ParseCidr(cidr, fieldName);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentException($"mode: unknown network mode {mode}.", nameof(mode));
        }

        return new IpPool(network, mode, fieldName, staticPool);
    }

    /// <summary>
    /// Parses a CIDR strictly: a prefix length is required and host bits must be zero (the error suggests the
    /// network address). IPv4-mapped IPv6 and scoped IPv6 addresses are rejected.
    /// </summary>
    public static IPNetwork ParseCidr(string? cidr, string fieldName = "cidr")
    {
        if (string.IsNullOrWhiteSpace(cidr))
        {
            throw new ArgumentException($"{fieldName}: must be a CIDR such as 10.244.1.0/24, got an empty value.", fieldName);
        }

        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new ArgumentException($"{fieldName}: '{InputText.Quote(cidr)}' has no prefix length; expected a CIDR such as 10.244.1.0/24.", fieldName);
        }

        if (!IPAddress.TryParse(cidr.AsSpan(0, slash), out var address) || cidr[..slash].Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{fieldName}: '{InputText.Quote(cidr[..slash])}' in '{InputText.Quote(cidr)}' is not an IPv4 or IPv6 address.", fieldName);
        }

        if (address.IsIPv4MappedToIPv6)
        {
            throw new ArgumentException($"{fieldName}: '{InputText.Quote(cidr)}' is an IPv4-mapped IPv6 address; write the IPv4 CIDR instead.", fieldName);
        }

        var width = IpAddressMath.BitWidth(address.AddressFamily);
        var prefixText = cidr[(slash + 1)..];
        if (!int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > width || prefixText.Length > 3)
        {
            throw new ArgumentException($"{fieldName}: prefix length '{InputText.Quote(prefixText)}' in '{InputText.Quote(cidr)}' must be a number from 0 to {width}.", fieldName);
        }

        var network = new IPNetwork(IpAddressMath.Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            throw new ArgumentException($"{fieldName}: '{InputText.Quote(cidr)}' has host bits set; did you mean {network}?", fieldName);
        }

        return network;
    }

    /// <summary>Whether <paramref name="address"/> lies inside <see cref="Cidr"/>.</summary>
    public bool Contains(IPAddress address) => TryGetOffset(address, out _);

    /// <summary>The role of <paramref name="address"/> if it is reserved in this pool.</summary>
    public ReservedAddressKind? ReservationOf(IPAddress address) =>
        TryGetOffset(address, out var offset) && _reservedOffsets.TryGetValue(offset, out var kind) ? kind : null;

    /// <inheritdoc/>
    public override string ToString() => Cidr.ToString();

    internal bool TryGetOffset(IPAddress address, out UInt128 offset)
    {
        offset = default;
        if (address.AddressFamily != Family || !Cidr.Contains(address))
        {
            return false;
        }

        offset = IpAddressMath.ToUInt128(address) - _base;
        return true;
    }

    internal bool IsReservedOffset(UInt128 offset) => _reservedOffsets.ContainsKey(offset);

    internal IPAddress AddressAt(UInt128 offset) => IpAddressMath.FromUInt128(_base + offset, Family);

    /// <summary>Transparent: the gateway's offset and the assignable range, each checked against the subnet.</summary>
    private static (UInt128 Gateway, UInt128 First, UInt128 Last) StaticPoolOffsets(
        IPNetwork cidr, StaticPoolOptions? pool, string fieldName, UInt128 firstUsable, UInt128 lastUsable)
    {
        if (pool is null)
        {
            throw new ArgumentException($"staticPool: transparent mode needs a static pool (subnet, gateway, rangeStart, rangeEnd) on the physical network for {fieldName} {cidr}.", "staticPool");
        }

        if (!pool.Subnet.Equals(cidr))
        {
            throw new ArgumentException($"{fieldName}: {cidr} is not the static pool's subnet {pool.Subnet}; in transparent mode the pool's subnet is the only pod CIDR.", fieldName);
        }

        var baseValue = IpAddressMath.ToUInt128(cidr.BaseAddress);
        UInt128 OffsetOf(IPAddress address, string key)
        {
            if (address.AddressFamily != cidr.BaseAddress.AddressFamily || !cidr.Contains(address))
            {
                throw new ArgumentException($"staticPool.{key}: {address} is not inside staticPool.subnet {cidr}.", "staticPool." + key);
            }

            var offset = IpAddressMath.ToUInt128(address) - baseValue;
            if (offset < firstUsable || offset > lastUsable)
            {
                throw new ArgumentException($"staticPool.{key}: {address} is the network or broadcast address of {cidr}.", "staticPool." + key);
            }

            return offset;
        }

        var gateway = OffsetOf(pool.Gateway, "gateway");
        var first = OffsetOf(pool.RangeStart, "rangeStart");
        var last = OffsetOf(pool.RangeEnd, "rangeEnd");
        if (first > last)
        {
            throw new ArgumentException($"staticPool.rangeEnd: {pool.RangeEnd} comes before staticPool.rangeStart {pool.RangeStart}.", "staticPool.rangeEnd");
        }

        return (gateway, first, last);
    }

    private static List<(UInt128 Offset, ReservedAddressKind Kind)> RoleOffsets(NetworkMode mode, UInt128 gateway, UInt128 firstUsable, UInt128 lastUsable)
    {
        List<(UInt128, ReservedAddressKind)> roles = [(gateway, ReservedAddressKind.Gateway)];
        switch (mode)
        {
            case NetworkMode.L2Bridge:
                if (lastUsable > firstUsable)
                {
                    roles.Add((firstUsable + 1, ReservedAddressKind.HostEndpoint));
                }
                else
                {
                    roles.Add((firstUsable, ReservedAddressKind.HostEndpoint));
                }

                break;
            case NetworkMode.Overlay:
                roles.Add((lastUsable - (OverlaySourceVipIndexFromEnd - 1), ReservedAddressKind.ServiceSourceVip));
                break;
        }

        // Duplicate offsets (only on tiny CIDRs) still count, so the "too small" check sees every role.
        return roles;
    }

    private IPAddress? Find(ReservedAddressKind kind) =>
        Reserved.FirstOrDefault(r => r.Kind == kind)?.Address;
}
