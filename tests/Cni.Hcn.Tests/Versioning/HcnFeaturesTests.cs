using Cni.Hcn.Versioning;

namespace Cni.Hcn.Tests.Versioning;

/// <summary>Which HNS versions turn each feature on (hcsshim hcn/hcnglobals.go).</summary>
[TestFixture]
public sealed class HcnFeaturesTests
{
    public static IEnumerable<TestCaseData> Boundaries()
    {
        // (feature, last version without it, first version with it)
        yield return Case(HcnFeature.Acl, (7, 1), (7, 2));
        yield return Case(HcnFeature.ApiV2, (9, 1), (9, 2));
        yield return Case(HcnFeature.RemoteSubnet, (9, 1), (9, 2));
        yield return Case(HcnFeature.HostRoute, (9, 1), (9, 2));
        yield return Case(HcnFeature.Dsr, (9, 2), (9, 3));
        yield return Case(HcnFeature.Dsr, (10, 1), (10, 2));
        yield return Case(HcnFeature.Slash32EndpointPrefixes, (9, 2), (9, 3));
        yield return Case(HcnFeature.Slash32EndpointPrefixes, (10, 3), (10, 4));
        yield return Case(HcnFeature.AclSupportForProtocol252, (10, 99), (11, 0));
        yield return Case(HcnFeature.SessionAffinity, (11, 99), (12, 0));
        yield return Case(HcnFeature.IPv6DualStack, (11, 9), (11, 10));
        yield return Case(HcnFeature.SetPolicy, (12, 99), (13, 0));
        yield return Case(HcnFeature.VxlanPort, (10, 2), (10, 3));
        yield return Case(HcnFeature.L4Proxy, (9, 4), (9, 5));
        yield return Case(HcnFeature.L4Proxy, (10, 4), (10, 5));
        yield return Case(HcnFeature.L4Proxy, (11, 10), (11, 11));
        yield return Case(HcnFeature.L4Proxy, (12, 0), (12, 1));
        yield return Case(HcnFeature.L4Proxy, (13, 0), (13, 1));
        yield return Case(HcnFeature.L4WfpProxy, (13, 1), (13, 2));
        yield return Case(HcnFeature.TierAcl, (13, 99), (14, 0));
        yield return Case(HcnFeature.NetworkAcl, (14, 99), (15, 0));
        yield return Case(HcnFeature.NestedIpSet, (14, 99), (15, 0));
        yield return Case(HcnFeature.DisableHostPort, (15, 0), (15, 1));
        yield return Case(HcnFeature.ModifyLoadBalancer, (15, 3), (15, 4));
        yield return Case(HcnFeature.AcceleratedNetworking, (15, 3), (15, 4));
    }

    public static IEnumerable<TestCaseData> ClosedRanges()
    {
        // Ranges that end with their major version ("9.3–9.x"), so the next major's early minors are off.
        yield return Case(HcnFeature.Dsr, (10, 0), (9, 1000));
        yield return Case(HcnFeature.Slash32EndpointPrefixes, (10, 3), (9, uint.MaxValue));
        yield return Case(HcnFeature.L4Proxy, (10, 0), (9, 9));
        yield return Case(HcnFeature.L4Proxy, (11, 0), (10, 9));
        yield return Case(HcnFeature.L4Proxy, (12, 0), (11, 12));
        yield return Case(HcnFeature.L4Proxy, (13, 0), (12, 2));
    }

    [TestCaseSource(nameof(Boundaries))]
    [TestCaseSource(nameof(ClosedRanges))]
    public void FromVersion_Boundary_TurnsFeatureOn(HcnFeature feature, HcnVersion without, HcnVersion with)
    {
        Assert.That(HcnFeatures.FromVersion(without).IsSupported(feature), Is.False, $"{feature} at {without}");
        Assert.That(HcnFeatures.FromVersion(with).IsSupported(feature), Is.True, $"{feature} at {with}");
    }

    [Test]
    public void FromVersion_Null_IsNone()
    {
        var features = HcnFeatures.FromVersion(null);

        Assert.That(features, Is.SameAs(HcnFeatures.None));
        Assert.That(features.Supported, Is.Empty);
        Assert.That(features.Version, Is.Null);
        Assert.That(features.ApiV2, Is.False);
    }

    [Test]
    public void FromVersion_WindowsServer2022Hns_HasTheKubernetesFeatures()
    {
        var features = HcnFeatures.FromVersion(new HcnVersion(13, 3));

        Assert.That(features.ApiV2 && features.RemoteSubnet && features.HostRoute && features.Dsr && features.VxlanPort, Is.True);
        Assert.That(features.SessionAffinity && features.IPv6DualStack && features.SetPolicy && features.L4WfpProxy, Is.True);
        Assert.That(features.ModifyLoadBalancer || features.TierAcl || features.NetworkAcl, Is.False);
        Assert.That(features.Version, Is.EqualTo(new HcnVersion(13, 3)));
    }

    [Test]
    public void FromVersion_Newest_HasEveryFeature()
    {
        var features = HcnFeatures.FromVersion(new HcnVersion(15, 4));

        Assert.That(features.Supported, Is.EquivalentTo(Enum.GetValues<HcnFeature>()));
        Assert.That(
            new[]
            {
                features.Acl, features.ApiV2, features.RemoteSubnet, features.HostRoute, features.Dsr,
                features.Slash32EndpointPrefixes, features.AclSupportForProtocol252, features.SessionAffinity,
                features.IPv6DualStack, features.SetPolicy, features.VxlanPort, features.L4Proxy, features.L4WfpProxy,
                features.TierAcl, features.NetworkAcl, features.NestedIpSet, features.DisableHostPort,
                features.ModifyLoadBalancer, features.AcceleratedNetworking, HcnFeatures.ApiV1,
            },
            Has.All.True);
    }

    [Test]
    public void Equals_SameVersion_AreEqual()
    {
        var first = HcnFeatures.FromVersion(new HcnVersion(12, 0));
        var second = HcnFeatures.FromVersion(new HcnVersion(12, 0));

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(second.GetHashCode(), Is.EqualTo(first.GetHashCode()));
        Assert.That(HcnFeatures.FromVersion(new HcnVersion(13, 0)), Is.Not.EqualTo(first));
    }

    private static TestCaseData Case(HcnFeature feature, (uint Major, uint Minor) without, (uint Major, uint Minor) with) =>
        new TestCaseData(feature, new HcnVersion(without.Major, without.Minor), new HcnVersion(with.Major, with.Minor))
            .SetArgDisplayNames(feature.ToString(), $"{without.Major}.{without.Minor}", $"{with.Major}.{with.Minor}");
}
