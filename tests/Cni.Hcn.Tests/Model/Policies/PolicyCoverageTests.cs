using System.Reflection;
using Cni.Hcn.Json;
using Cni.Hcn.Model.Policies;
using Cni.Hcn.Tests.Json;

namespace Cni.Hcn.Tests.Model.Policies;

/// <summary>Guards: every policy type the model names has a golden document, and typed settings name their type.</summary>
[TestFixture]
public sealed class PolicyCoverageTests
{
    public static IEnumerable<string> NetworkPolicyTypes() => Names<NetworkPolicyType>();

    public static IEnumerable<string> EndpointPolicyTypes() => Names<EndpointPolicyType>();

    public static IEnumerable<string> SubnetPolicyTypes() => Names<SubnetPolicyType>();

    [TestCaseSource(nameof(NetworkPolicyTypes))]
    public void NetworkPolicyType_Each_HasGoldenDocument(string type)
    {
        Assert.That(GoldenJson.AllFileNames(), Does.Contain($"network-policy-{type}.json"));
    }

    [TestCaseSource(nameof(EndpointPolicyTypes))]
    public void EndpointPolicyType_Each_HasGoldenDocument(string type)
    {
        Assert.That(GoldenJson.AllFileNames(), Does.Contain($"endpoint-policy-{type}.json"));
    }

    [TestCaseSource(nameof(SubnetPolicyTypes))]
    public void SubnetPolicyType_Each_HasGoldenDocument(string type)
    {
        Assert.That(GoldenJson.AllFileNames(), Does.Contain($"subnet-policy-{type}.json"));
    }

    [Test]
    public void SettingsRecords_Each_IsInTheJsonContext()
    {
        var settingsTypes = typeof(PolicySetting).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(PolicySetting)) && !t.IsAbstract && t != typeof(RawPolicySetting));

        Assert.That(settingsTypes.Where(t => !Registered(t)), Is.Empty);
    }

    [Test]
    public void Create_ProviderAddressSettings_NameTheirNetworkAndEndpointTypes()
    {
        var settings = new ProviderAddressPolicySetting { ProviderAddress = "192.168.0.10" };

        Assert.That(NetworkPolicy.Create(settings).Type, Is.EqualTo(NetworkPolicyType.ProviderAddress));
        Assert.That(EndpointPolicy.Create(settings).Type, Is.EqualTo(EndpointPolicyType.ProviderAddress));
    }

    [Test]
    public void GetSettings_WrongType_IsNull()
    {
        var policy = NetworkPolicy.Create(new VxlanPortPolicySetting { Port = 4789 });

        Assert.That(policy.GetSettings<HostRoutePolicySetting>(), Is.Null);
        Assert.That(policy.GetSettings<VxlanPortPolicySetting>()?.Port, Is.EqualTo((ushort)4789));
    }

    [Test]
    public void RawPolicySetting_Equality_IsStructural()
    {
        using var a = System.Text.Json.JsonDocument.Parse("""{"a":1,"b":2}""");
        using var b = System.Text.Json.JsonDocument.Parse("""{"b":2,"a":1}""");

        Assert.That(new RawPolicySetting(a.RootElement), Is.EqualTo(new RawPolicySetting(b.RootElement)));
        Assert.That(new RawPolicySetting(a.RootElement).GetHashCode(), Is.EqualTo(new RawPolicySetting(b.RootElement).GetHashCode()));
    }

    private static bool Registered(Type type)
    {
        try
        {
            return HcnJson.Options.GetTypeInfo(type) is not null;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static IEnumerable<string> Names<T>()
        where T : struct, IHcnName<T> =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(T))
            .Select(p => ((T)p.GetValue(null)!).Value!);
}
