namespace Cni.Spec.Tests;

[TestFixture]
public sealed class CniArgsTests
{
    private static CniException Fails(string raw) => Assert.Throws<CniException>(() => CniArgs.Parse(raw))!;

    [TestCase(null)]
    [TestCase("")]
    public void Parse_NullOrEmpty_IsEmpty(string? raw) =>
        Assert.That(CniArgs.Parse(raw).Pairs, Is.Empty);

    [Test]
    public void Parse_ContainerdArgsAnyOrder_ReadsKnownKeys()
    {
        var orders = new[]
        {
            "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u-1",
            "K8S_POD_UID=u-1;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_NAME=web-0;K8S_POD_NAMESPACE=default;IgnoreUnknown=1",
            "K8S_POD_NAME=web-0;IgnoreUnknown=1;K8S_POD_UID=u-1;K8S_POD_NAMESPACE=default;K8S_POD_INFRA_CONTAINER_ID=abc",
        };
        foreach (var raw in orders)
        {
            var args = CniArgs.Parse(raw);
            Assert.Multiple(() =>
            {
                Assert.That(args.K8sPodNamespace, Is.EqualTo("default"));
                Assert.That(args.K8sPodName, Is.EqualTo("web-0"));
                Assert.That(args.K8sPodInfraContainerId, Is.EqualTo("abc"));
                Assert.That(args.K8sPodUid, Is.EqualTo("u-1"));
                Assert.That(args.IgnoreUnknown, Is.True);
                Assert.That(args.Pairs, Has.Count.EqualTo(5));
            });
        }
    }

    [TestCase("K8S_POD_NAME=a;")]
    [TestCase("K8S_POD_NAME=a;;K8S_POD_UID=b")]
    [TestCase(";")]
    [TestCase("K8S_POD_NAME")]
    [TestCase("=value")]
    [TestCase("IgnoreUnknown=1;K8S_POD_NAME=a=b")]
    [TestCase("a=b=c")]
    public void Parse_InvalidPair_Code4NamingPair(string raw)
    {
        var e = Fails(raw);
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(e.Error.Msg, Does.StartWith("CNI_ARGS: invalid pair"));
        });
    }

    [Test]
    public void Parse_TrailingSemicolon_NamesEmptyPair() =>
        Assert.That(Fails("K8S_POD_NAME=a;").Error.Msg, Is.EqualTo("CNI_ARGS: invalid pair \"\""));

    [Test]
    public void Parse_UnknownKeyWithoutIgnore_Code4NamingKey()
    {
        var e = Fails("K8S_POD_NAMESPACE=default;FOO=bar");
        Assert.Multiple(() =>
        {
            Assert.That(e.Code, Is.EqualTo(CniErrorCode.InvalidEnvironmentVariables));
            Assert.That(e.Error.Msg, Does.Contain("CNI_ARGS").And.Contain("FOO=bar"));
        });
    }

    [TestCase("1")]
    [TestCase("true")]
    [TestCase("TRUE")]
    [TestCase("True")]
    public void Parse_IgnoreUnknownTrueVariants_KeepsUnknownPairs(string value)
    {
        var args = CniArgs.Parse("FOO=bar;IgnoreUnknown=" + value);
        Assert.Multiple(() =>
        {
            Assert.That(args.IgnoreUnknown, Is.True);
            Assert.That(args.Get("FOO"), Is.EqualTo("bar"));
        });
    }

    [TestCase("0")]
    [TestCase("false")]
    [TestCase("FALSE")]
    public void Parse_IgnoreUnknownFalseVariants_UnknownIsError(string value) =>
        Assert.That(Fails("FOO=bar;IgnoreUnknown=" + value).Error.Msg, Does.Contain("unknown args"));

    [TestCase("yes")]
    [TestCase("")]
    [TestCase("2")]
    public void Parse_IgnoreUnknownInvalidValue_Code4(string value) =>
        Assert.That(Fails("IgnoreUnknown=" + value).Error.Msg, Does.Contain("IgnoreUnknown"));

    [Test]
    public void Parse_KeysAreCaseSensitive_LowerCaseKnownKeyIsUnknown() =>
        Assert.That(Fails("k8s_pod_name=a").Error.Msg, Does.Contain("unknown args"));

    [Test]
    public void Parse_LowerCaseIgnoreUnknown_IsAnUnknownKey() =>
        Assert.That(Fails("ignoreunknown=1;FOO=bar").Error.Msg, Does.Contain("unknown args"));

    [Test]
    public void Parse_RepeatedKey_LastWins() =>
        Assert.That(CniArgs.Parse("K8S_POD_NAME=a;K8S_POD_NAME=b").K8sPodName, Is.EqualTo("b"));

    [Test]
    public void Parse_EmptyValue_Allowed() =>
        Assert.That(CniArgs.Parse("K8S_POD_NAME=").K8sPodName, Is.Empty);

    [Test]
    public void Parse_IpAndMac_AreKnownOptionalKeys()
    {
        var args = CniArgs.Parse("IP=10.1.0.5;MAC=c2:11:22:33:44:55");
        Assert.Multiple(() =>
        {
            Assert.That(args.Ip, Is.EqualTo("10.1.0.5"));
            Assert.That(args.Mac, Is.EqualTo("c2:11:22:33:44:55"));
        });
    }

    [Test]
    public void Parse_UnicodeValues_Preserved()
    {
        var args = CniArgs.Parse("K8S_POD_NAME=pöd-名前-🙂;K8S_POD_NAMESPACE=ns");
        Assert.That(args.K8sPodName, Is.EqualTo("pöd-名前-🙂"));
    }

    [Test]
    public void Parse_VeryLong_ParsesAndErrorsStayShort()
    {
        var longValue = new string('x', 1_000_000);
        Assert.That(CniArgs.Parse("K8S_POD_NAME=" + longValue).K8sPodName, Has.Length.EqualTo(1_000_000));

        var e = Fails("FOO=" + longValue);
        Assert.That(e.Error.Msg.Length, Is.LessThan(1000));
    }

    [Test]
    public void Parse_ManyPairs_Parses()
    {
        var raw = "IgnoreUnknown=1;" + string.Join(';', Enumerable.Range(0, 10_000).Select(i => "K" + i + "=v" + i));
        Assert.That(CniArgs.Parse(raw).Pairs, Has.Count.EqualTo(10_001));
    }

    [Test]
    public void Parse_Vlan_KnownKeyWithoutIgnoreUnknown()
    {
        var args = CniArgs.Parse("K8S_POD_NAME=p;VLAN=100");

        Assert.That(args.Get(CniArgs.VlanKey), Is.EqualTo("100"));
    }
}
