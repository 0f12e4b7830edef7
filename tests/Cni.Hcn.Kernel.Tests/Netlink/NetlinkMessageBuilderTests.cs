using System.Net;
using System.Net.NetworkInformation;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Tests.Netlink;

/// <summary>Byte layouts of the messages KernelHcn sends, checked against what iproute2 sends for the same request.</summary>
[TestFixture]
public sealed class NetlinkMessageBuilderTests
{
    [Test]
    public void Build_BridgeCreate_MatchesIproute2Layout()
    {
        var bytes = new NetlinkMessageBuilder(Rtnl.RtmNewLink, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFExcl).IfInfo()
            .AddString(Rtnl.IflaIfname, "br0")
            .BeginNested(Rtnl.IflaLinkinfo).AddString(Rtnl.IflaInfoKind, "bridge").EndNested()
            .Build(7);

        // nlmsghdr(16) + ifinfomsg(16) + IFLA_IFNAME "br0\0"(8) + IFLA_LINKINFO{IFLA_INFO_KIND "bridge\0"(12)}(16)
        byte[] expected =
        [
            56, 0, 0, 0, 16, 0, 0x05, 0x06, 7, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 3, 0, (byte)'b', (byte)'r', (byte)'0', 0,
            16, 0, 18, 0, 11, 0, 1, 0, (byte)'b', (byte)'r', (byte)'i', (byte)'d', (byte)'g', (byte)'e', 0, 0,
        ];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void VxlanRequest_PortAndLearning_PortBigEndianLearningZero()
    {
        var bytes = RtnetlinkClient.VxlanRequest("vx", 4096, 4789, IPAddress.Parse("192.0.2.1"), 0, null, 1450).Build(1);
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(32));
        var data = attributes.GetNested(Rtnl.IflaLinkinfo)!.GetNested(Rtnl.IflaInfoData)!;

        Assert.That(attributes.GetU32(Rtnl.IflaMtu), Is.EqualTo(1450));
        Assert.That(attributes.GetNested(Rtnl.IflaLinkinfo)!.GetString(Rtnl.IflaInfoKind), Is.EqualTo("vxlan"));
        Assert.That(data.GetU32(Rtnl.IflaVxlanId), Is.EqualTo(4096));
        Assert.That(data.Get(Rtnl.IflaVxlanPort)!.Value.ToArray(), Is.EqualTo(new byte[] { 0x12, 0xB5 }));
        Assert.That(data.GetU8(Rtnl.IflaVxlanLearning), Is.EqualTo(0));
        Assert.That(data.GetAddress(Rtnl.IflaVxlanLocal), Is.EqualTo(IPAddress.Parse("192.0.2.1")));
    }

    [Test]
    public void VethRequest_Peer_PeerCarriesIfinfomsgNameAndMac()
    {
        var mac = PhysicalAddress.Parse("02-00-00-00-00-01");
        var bytes = RtnetlinkClient.VethRequest("wcA", "wpA", 1450, mac).Build(1);
        var info = NetlinkAttributes.Parse(bytes.AsMemory(32)).GetNested(Rtnl.IflaLinkinfo)!;
        var peer = info.GetNested(Rtnl.IflaInfoData)!.Get(Rtnl.VethInfoPeer)!.Value;
        var peerAttributes = NetlinkAttributes.Parse(peer[Rtnl.IfInfoMsgLength..]);

        Assert.That(info.GetString(Rtnl.IflaInfoKind), Is.EqualTo("veth"));
        Assert.That(peer[..Rtnl.IfInfoMsgLength].ToArray(), Is.All.EqualTo(0));
        Assert.That(peerAttributes.GetString(Rtnl.IflaIfname), Is.EqualTo("wpA"));
        Assert.That(peerAttributes.Get(Rtnl.IflaAddress)!.Value.ToArray(), Is.EqualTo(mac.GetAddressBytes()));
        Assert.That(peerAttributes.GetU32(Rtnl.IflaMtu), Is.EqualTo(1450));
    }

    [Test]
    public void VethRequest_PeerIntoNamespace_PeerCarriesNetnsFdThisSideMasterAndUp()
    {
        var bytes = RtnetlinkClient.VethRequest("wcA", "eth0", 1500, null, peerNetnsFd: 41, masterIndex: 7, up: true).Build(1);
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(32));
        var peer = attributes.GetNested(Rtnl.IflaLinkinfo)!.GetNested(Rtnl.IflaInfoData)!.Get(Rtnl.VethInfoPeer)!.Value;
        var peerAttributes = NetlinkAttributes.Parse(peer[Rtnl.IfInfoMsgLength..]);

        Assert.That(BitConverter.ToUInt32(bytes, 24), Is.EqualTo(Rtnl.IffUp), "ifi_flags");
        Assert.That(BitConverter.ToUInt32(bytes, 28), Is.EqualTo(Rtnl.IffUp), "ifi_change");
        Assert.That(attributes.GetU32(Rtnl.IflaMaster), Is.EqualTo(7));
        Assert.That(attributes.GetU32(Rtnl.IflaNetNsFd), Is.Null, "this side stays");
        Assert.That(peerAttributes.GetU32(Rtnl.IflaNetNsFd), Is.EqualTo(41));
        Assert.That(peerAttributes.GetString(Rtnl.IflaIfname), Is.EqualTo("eth0"));
    }

    [Test]
    public void HairpinRequest_PortByName_BridgeSlaveDataWithModeOn()
    {
        var bytes = RtnetlinkClient.HairpinRequest("wcA").Build(1);
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(32));
        var slave = attributes.GetNested(Rtnl.IflaLinkinfo)!.GetNested(Rtnl.IflaInfoSlaveData)!;

        Assert.That(BitConverter.ToInt32(bytes, 20), Is.Zero, "found by name, not index");
        Assert.That(attributes.GetString(Rtnl.IflaIfname), Is.EqualTo("wcA"));
        Assert.That(slave.GetU8(Rtnl.IflaBrportMode), Is.EqualTo(1));
    }

    [Test]
    public void RouteRequest_OnlinkViaGateway_SetsFlagScopeAndAttributes()
    {
        var route = new RouteSpec(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("10.244.2.0"), 9, OnLink: true);
        var bytes = RtnetlinkClient.RouteRequest(Rtnl.RtmNewRoute, Rtnl.NlmFAck | Rtnl.NlmFCreate | Rtnl.NlmFReplace, route).Build(3);

        byte[] rtmsg = [2, 24, 0, 0, 254, 4, 0, 1, 4, 0, 0, 0];
        Assert.That(bytes.AsSpan(16, 12).ToArray(), Is.EqualTo(rtmsg));
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(28));
        Assert.That(attributes.GetAddress(Rtnl.RtaDst), Is.EqualTo(IPAddress.Parse("10.244.2.0")));
        Assert.That(attributes.GetAddress(Rtnl.RtaGateway), Is.EqualTo(IPAddress.Parse("10.244.2.0")));
        Assert.That(attributes.GetU32(Rtnl.RtaOif), Is.EqualTo(9));
    }

    [Test]
    public void RouteRequest_DeviceRoute_ScopeLinkAndNoGateway()
    {
        var bytes = RtnetlinkClient.RouteRequest(Rtnl.RtmNewRoute, Rtnl.NlmFAck, new RouteSpec(IPNetwork.Parse("10.96.0.0/12"), null, 4)).Build(1);

        Assert.That(bytes[16 + 6], Is.EqualTo(Rtnl.RtScopeLink));
        Assert.That(NetlinkAttributes.Parse(bytes.AsMemory(28)).Has(Rtnl.RtaGateway), Is.False);
    }

    [Test]
    public void AddressRequest_Ipv6_NoDadInHeaderAndIfaFlags()
    {
        var bytes = RtnetlinkClient.AddressRequest(7, IPAddress.Parse("fd00:244:1::5"), 64).Build(1);

        byte[] ifaddrmsg = [10, 64, Rtnl.IfaFNodad, 0, 7, 0, 0, 0];
        Assert.That(bytes.AsSpan(16, 8).ToArray(), Is.EqualTo(ifaddrmsg));
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(24));
        Assert.That(attributes.GetAddress(Rtnl.IfaLocal), Is.EqualTo(IPAddress.Parse("fd00:244:1::5")));
        Assert.That(attributes.GetU32(Rtnl.IfaFlags), Is.EqualTo(Rtnl.IfaFNodad));
    }

    [Test]
    public void AddressRequest_Ipv4_NoFlags()
    {
        var bytes = RtnetlinkClient.AddressRequest(7, IPAddress.Parse("10.244.1.5"), 24).Build(1);

        Assert.That(bytes.AsSpan(16, 8).ToArray(), Is.EqualTo(new byte[] { 2, 24, 0, 0, 7, 0, 0, 0 }));
        Assert.That(NetlinkAttributes.Parse(bytes.AsMemory(24)).Has(Rtnl.IfaFlags), Is.False);
    }

    [Test]
    public void FdbRequest_RemoteVtep_BridgeFamilySelfPermanent()
    {
        var bytes = RtnetlinkClient.FdbRequest(Rtnl.RtmNewNeigh, Rtnl.NlmFAck, 5, PhysicalAddress.Parse("0E-2A-00-00-00-02"), IPAddress.Parse("192.168.100.2")).Build(1);

        byte[] ndmsg = [7, 0, 0, 0, 5, 0, 0, 0, 0x80, 0, 2, 0];
        Assert.That(bytes.AsSpan(16, 12).ToArray(), Is.EqualTo(ndmsg));
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(28));
        Assert.That(attributes.Get(Rtnl.NdaLladdr)!.Value.ToArray(), Is.EqualTo(new byte[] { 0x0E, 0x2A, 0, 0, 0, 2 }));
        Assert.That(attributes.GetAddress(Rtnl.NdaDst), Is.EqualTo(IPAddress.Parse("192.168.100.2")));
    }

    [Test]
    public void SetLinkRequest_UpAndNetns_ChangeMaskAndFd()
    {
        var bytes = RtnetlinkClient.SetLinkRequest(12, new LinkChange { Up = true, NetnsFd = 33, Name = "eth0" }).Build(1);

        Assert.That(BitConverter.ToInt32(bytes, 20), Is.EqualTo(12));
        Assert.That(BitConverter.ToUInt32(bytes, 24), Is.EqualTo(1));
        Assert.That(BitConverter.ToUInt32(bytes, 28), Is.EqualTo(1));
        var attributes = NetlinkAttributes.Parse(bytes.AsMemory(32));
        Assert.That(attributes.GetU32(Rtnl.IflaNetNsFd), Is.EqualTo(33));
        Assert.That(attributes.GetString(Rtnl.IflaIfname), Is.EqualTo("eth0"));
    }

    [Test]
    public void SetLinkRequest_DownIntoGroup_ClearsUpAndCarriesIflaGroup()
    {
        var bytes = RtnetlinkClient.SetLinkRequest(12, new LinkChange { Up = false, Group = 0x77636E69 }).Build(1);

        Assert.That(BitConverter.ToUInt32(bytes, 24), Is.Zero, "flags: not up");
        Assert.That(BitConverter.ToUInt32(bytes, 28), Is.EqualTo(1), "change mask: IFF_UP");
        Assert.That(NetlinkAttributes.Parse(bytes.AsMemory(32)).GetU32(Rtnl.IflaGroup), Is.EqualTo(0x77636E69));
    }

    [Test]
    public void DeleteGroupRequest_Group_IfindexZeroAndIflaGroupOnly()
    {
        var bytes = RtnetlinkClient.DeleteGroupRequest(0x77636E69).Build(1);

        // nlmsghdr(16: RTM_DELLINK, REQUEST|ACK) + ifinfomsg(16, ifindex 0: the kernel then deletes by group) + IFLA_GROUP(8)
        byte[] expected =
        [
            40, 0, 0, 0, 17, 0, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 27, 0, 0x69, 0x6E, 0x63, 0x77,
        ];
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_AttributeAbsent_GettersReturnNull()
    {
        var attributes = NetlinkAttributes.Parse(RtnetlinkClient.DeleteGroupRequest(7).Build(1).AsMemory(32));

        Assert.Multiple(() =>
        {
            Assert.That(attributes.Get(Rtnl.IflaIfname), Is.Null);
            Assert.That(attributes.GetString(Rtnl.IflaIfname), Is.Null);
            Assert.That(attributes.GetNested(Rtnl.IflaLinkinfo), Is.Null);
            Assert.That(attributes.GetU32(Rtnl.IflaGroup), Is.EqualTo(7));
        });
    }

    [Test]
    public void ReadError_ExtendedAck_ReturnsErrnoAndKernelMessage()
    {
        // NLMSG_ERROR with NLM_F_CAPPED|NLM_F_ACK_TLVS: error -17, the original header, then NLMSGERR_ATTR_MSG.
        var payload = new List<byte>();
        payload.AddRange(BitConverter.GetBytes(-17));
        payload.AddRange(new byte[16]);
        payload.AddRange([12, 0, 1, 0, (byte)'b', (byte)'u', (byte)'s', (byte)'y', (byte)'!', 0, 0, 0]);
        var message = new NetlinkMessage(Rtnl.NlmsgError, 0x300, 1, 0, payload.ToArray());

        var (errno, text) = message.ReadError();

        Assert.That(errno, Is.EqualTo(17));
        Assert.That(text, Is.EqualTo("busy!"));
    }

    [Test]
    public void Split_TwoMessages_ReturnsBothWithPayloads()
    {
        var first = new NetlinkMessageBuilder(Rtnl.NlmsgDone, 0).AddU32(1, 5).Build(1);
        var second = new NetlinkMessageBuilder(Rtnl.NlmsgDone, 0).Build(2);

        var messages = NetlinkMessage.Split(first.Concat(second).ToArray());

        Assert.That(messages.Select(m => m.Sequence), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(messages[0].Payload.Length, Is.EqualTo(8));
    }
}
