using System.Net;
using Cni.Node.Configuration;
using Cni.Node.Services;

namespace Cni.Node.Tests.Services;

/// <summary>Builds this node's facts: node <c>self</c> in zone z1, l2bridge, dual-stack, DSR on, until told otherwise.</summary>
public sealed class NodeFactsBuilder
{
    public const string Self = "self";
    public const string NodeIpV4 = "192.0.2.10";
    public const string NodeIpV6 = "2001:db8::10";

    private ProxyNodeFacts _facts = new(
        Self,
        "z1",
        NetworkMode.L2Bridge,
        [IPAddress.Parse(NodeIpV4), IPAddress.Parse(NodeIpV6)],
        [],
        [IPNetwork.Parse("10.244.0.0/16"), IPNetwork.Parse("fd00:244::/56")],
        Dsr: true);

    public static NodeFactsBuilder L2Bridge() => new();

    public static NodeFactsBuilder Overlay(string? sourceVip = "10.244.1.2")
    {
        var builder = new NodeFactsBuilder();
        builder._facts = builder._facts with { Mode = NetworkMode.Overlay, SourceVips = sourceVip is null ? [] : [IPAddress.Parse(sourceVip)] };
        return builder;
    }

    /// <summary>An HNS before 12.0: no load-balancer client-IP affinity.</summary>
    public NodeFactsBuilder NoSessionAffinity(string hnsVersion = "11.5")
    {
        _facts = _facts with { SessionAffinity = false, HnsVersion = hnsVersion };
        return this;
    }

    public NodeFactsBuilder NoDsr()
    {
        _facts = _facts with { Dsr = false };
        return this;
    }

    public NodeFactsBuilder SourceVip(string address)
    {
        _facts = _facts with { SourceVips = [IPAddress.Parse(address)] };
        return this;
    }

    public ProxyNodeFacts Build() => _facts;
}
