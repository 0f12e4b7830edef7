using System.Buffers.Binary;
using System.Net;
using Cni.Hcn.HostRouting;
using Cni.Hcn.Kernel.HostRouting;
using Cni.Hcn.Kernel.Netlink;

namespace Cni.Hcn.Kernel.Tests.HostRouting;

/// <summary>The rtnetlink messages of NetlinkHostRouting, byte for byte (linux/rtnetlink.h, if_link.h).</summary>
public sealed class HostRouteMessagesTests
{
    private static readonly HostRoute Route = new(IPNetwork.Parse("10.244.2.0/24"), IPAddress.Parse("192.0.2.11"), 7, 300);

    [Test]
    public void Add_ExclusiveStaticUnicastInMainWithDstGatewayOifPriority()
    {
        var message = HostRouteMessages.Add(Route).Build(1);

        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4)), Is.EqualTo(Rtnl.RtmNewRoute));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(6)) & (Rtnl.NlmFCreate | Rtnl.NlmFExcl), Is.EqualTo(Rtnl.NlmFCreate | Rtnl.NlmFExcl));
        var rtmsg = message.AsSpan(16, Rtnl.RtMsgLength);
        Assert.That((rtmsg[0], rtmsg[1], rtmsg[4], rtmsg[5], rtmsg[6], rtmsg[7]), Is.EqualTo((Rtnl.AfInet, (byte)24, Rtnl.RtTableMain, Rtnl.RtprotStatic, Rtnl.RtScopeUniverse, Rtnl.RtnUnicast)));
        var attributes = NetlinkAttributes.Parse(message.AsMemory(16 + Rtnl.RtMsgLength));
        Assert.That(attributes.GetAddress(Rtnl.RtaDst), Is.EqualTo(IPAddress.Parse("10.244.2.0")));
        Assert.That(attributes.GetAddress(Rtnl.RtaGateway), Is.EqualTo(IPAddress.Parse("192.0.2.11")));
        Assert.That(attributes.GetU32(Rtnl.RtaOif), Is.EqualTo(7u));
        Assert.That(attributes.GetU32(Rtnl.RtaPriority), Is.EqualTo(300u));
    }

    [Test]
    public void Delete_AnyScopeAnyProtocolNoPriority()
    {
        var message = HostRouteMessages.Delete(Route).Build(1);

        var rtmsg = message.AsSpan(16, Rtnl.RtMsgLength);
        Assert.That((rtmsg[5], rtmsg[6]), Is.EqualTo(((byte)0, HostRouteMessages.RtScopeNowhere)));
        var attributes = NetlinkAttributes.Parse(message.AsMemory(16 + Rtnl.RtMsgLength));
        Assert.That(attributes.Has(Rtnl.RtaPriority), Is.False);
        Assert.That(attributes.GetAddress(Rtnl.RtaGateway), Is.EqualTo(IPAddress.Parse("192.0.2.11")));
    }

    [Test]
    public void SetIpv4Forwarding_AfSpecInetConfForwardingAttribute()
    {
        var message = HostRouteMessages.SetIpv4Forwarding(7, enabled: true).Build(1);

        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(message.AsSpan(16 + 4)), Is.EqualTo(7));
        var afSpec = NetlinkAttributes.Parse(message.AsMemory(16 + Rtnl.IfInfoMsgLength)).GetNested(HostRouteMessages.IflaAfSpec);
        var conf = afSpec!.GetNested(Rtnl.AfInet)!.GetNested(HostRouteMessages.IflaInetConf);
        Assert.That(conf!.GetU32(HostRouteMessages.Ipv4DevconfForwarding), Is.EqualTo(1u));
    }

    [Test]
    public void Parse_AddMessagePayload_RoundTrips()
    {
        var message = HostRouteMessages.Add(Route).Build(1);

        var parsed = HostRouteMessages.Parse(message.AsMemory(16));

        Assert.That(parsed, Is.EqualTo(Route));
    }

    [Test]
    public void Parse_OtherTable_Null()
    {
        var message = new NetlinkMessageBuilder(Rtnl.RtmNewRoute, 0).RtMsg(Rtnl.AfInet, 24, 255, 2, 0, Rtnl.RtnUnicast, 0)
            .AddAddress(Rtnl.RtaDst, IPAddress.Parse("10.0.0.0")).AddU32(Rtnl.RtaOif, 1).Build(1);

        Assert.That(HostRouteMessages.Parse(message.AsMemory(16)), Is.Null);
    }
}
