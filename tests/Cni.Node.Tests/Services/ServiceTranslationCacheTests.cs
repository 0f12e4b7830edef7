using Cni.Node.Services;
using k8s.Models;

namespace Cni.Node.Tests.Services;

public sealed class ServiceTranslationCacheTests
{
    private const string Key = ServiceBuilder.Namespace + "/" + ServiceBuilder.Name;

    private static V1Service Web(string version = "1")
    {
        var service = ServiceBuilder.ClusterIp().Port("http", 80, 8080).Build();
        service.Metadata.ResourceVersion = version;
        return service;
    }

    private static V1EndpointSlice Slice(string pod, string version = "1", string name = "web-v4")
    {
        var slice = SliceBuilder.V4(name).Port("http", 8080).Endpoint(pod, NodeFactsBuilder.Self).Build();
        slice.Metadata.ResourceVersion = version;
        return slice;
    }

    private static Dictionary<string, List<V1EndpointSlice>> Slices(params V1EndpointSlice[] slices) =>
        new(StringComparer.Ordinal) { [Key] = [.. slices] };

    [Test]
    public void Translate_NothingChanged_SameTranslationInstanceAndNoneTranslated()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        var first = cache.Translate([service], Slices(slice), facts)[0];

        var second = cache.Translate([service], Slices(slice), facts)[0];

        Assert.That(second, Is.SameAs(first));
        Assert.That(cache.Translated, Is.Zero);
        Assert.That(cache.ChangedSlices, Is.Empty);
    }

    [Test]
    public void Translate_ThousandServicesSomeChanged_TranslationsInServiceOrderAndOnlyChangedOnesRedone()
    {
        // Enough Services that the translations are made on several threads.
        var cache = new ServiceTranslationCache();
        var facts = NodeFactsBuilder.Overlay().Build();
        var services = new List<V1Service>();
        var slices = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var service = ServiceBuilder.ClusterIp().Named($"s{i}", $"10.96.{i / 250}.{i % 250 + 1}").Port("http", 80, 8080).Build();
            service.Metadata.ResourceVersion = "1";
            services.Add(service);
            var slice = SliceBuilder.V4($"s{i}-v4").Port("http", 8080).Endpoint($"10.244.{i / 250}.{i % 250 + 2}", NodeFactsBuilder.Self).Build();
            slice.Metadata.ResourceVersion = "1";
            slices[$"{ServiceBuilder.Namespace}/s{i}"] = [slice];
        }

        var first = cache.Translate(services, slices, facts);
        var edited = ServiceBuilder.ClusterIp().Named("s500", "10.96.2.1").Port("http", 81, 8080).Build();
        edited.Metadata.ResourceVersion = "2";
        services[500] = edited;
        var second = cache.Translate(services, slices, facts);

        Assert.That(first.Select(t => t.Service), Is.EqualTo(services.Select(s => $"{ServiceBuilder.Namespace}/{s.Metadata.Name}")));
        Assert.That(first.Select(t => t.LoadBalancers.Single().Backends.Single().Address.ToString()),
            Is.EqualTo(Enumerable.Range(0, 1000).Select(i => $"10.244.{i / 250}.{i % 250 + 2}")));
        Assert.That(cache.Translated, Is.EqualTo(1));
        Assert.That(second[500].LoadBalancers.Single().ExternalPort, Is.EqualTo(81));
        Assert.That(second.Where((t, i) => i != 500).Zip(first.Where((t, i) => i != 500)).All(p => ReferenceEquals(p.First, p.Second)), Is.True, "unchanged ones are the same instances");
    }

    [Test]
    public void Translate_ServiceEdited_TranslatedAgain()
    {
        var cache = new ServiceTranslationCache();
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        cache.Translate([Web()], Slices(slice), facts);
        var edited = Web("2");
        edited.Spec.Ports[0].Port = 81;

        var translation = cache.Translate([edited], Slices(slice), facts)[0];

        Assert.That(cache.Translated, Is.EqualTo(1));
        Assert.That(translation.LoadBalancers.Single().ExternalPort, Is.EqualTo(81));
        Assert.That(cache.ChangedSlices, Is.Empty);
    }

    [Test]
    public void Translate_SameInstanceChangedInPlaceWithNewResourceVersion_TranslatedAgain()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        cache.Translate([service], Slices(slice), facts);
        service.Spec.Ports[0].Port = 81;
        service.Metadata.ResourceVersion = "2";

        var translation = cache.Translate([service], Slices(slice), facts)[0];

        Assert.That(translation.LoadBalancers.Single().ExternalPort, Is.EqualTo(81));
    }

    [Test]
    public void Translate_SliceEdited_TranslatedAgainAndReportedChanged()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        var facts = NodeFactsBuilder.Overlay().Build();
        cache.Translate([service], Slices(Slice("10.244.1.5")), facts);
        var edited = Slice("10.244.1.6", "2");

        var translation = cache.Translate([service], Slices(edited), facts)[0];

        Assert.That(translation.LoadBalancers.Single().Backends.Single().Address.ToString(), Is.EqualTo("10.244.1.6"));
        Assert.That(cache.ChangedSlices, Is.EqualTo(new[] { edited }));
    }

    [Test]
    public void Translate_SliceAddedOrRemoved_TranslatedAgain()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        var facts = NodeFactsBuilder.Overlay().Build();
        var a = Slice("10.244.1.5");
        cache.Translate([service], Slices(a), facts);

        var added = cache.Translate([service], Slices(a, Slice("10.244.1.6", "2", "web-v4-b")), facts)[0];
        var removed = cache.Translate([service], Slices(a), facts)[0];

        Assert.That(added.LoadBalancers.Single().Backends, Has.Count.EqualTo(2));
        Assert.That(removed.LoadBalancers.Single().Backends, Has.Count.EqualTo(1));
    }

    [Test]
    public void Translate_NodeFactsChanged_EverythingTranslatedAgain()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        cache.Translate([service], Slices(slice), facts);

        cache.Translate([service], Slices(slice), facts with { Zone = "z2" });

        Assert.That(cache.Translated, Is.EqualTo(1));
        Assert.That(cache.ChangedSlices, Is.Empty);
    }

    [Test]
    public void Translate_ObjectsWithoutResourceVersion_AlwaysTranslated()
    {
        var cache = new ServiceTranslationCache();
        var service = Web();
        service.Metadata.ResourceVersion = null;
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        var first = cache.Translate([service], Slices(slice), facts)[0];

        var second = cache.Translate([service], Slices(slice), facts)[0];

        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(cache.Translated, Is.EqualTo(1));
    }

    [Test]
    public void Translate_ServiceDeletedAndRecreatedWithSameName_TranslatedAfresh()
    {
        var cache = new ServiceTranslationCache();
        var slice = Slice("10.244.1.5");
        var facts = NodeFactsBuilder.Overlay().Build();
        var first = cache.Translate([Web()], Slices(slice), facts)[0];
        Assert.That(cache.Translate([], Slices(slice), facts), Is.Empty);

        var again = cache.Translate([Web()], Slices(slice), facts)[0];

        Assert.That(again, Is.Not.SameAs(first));
        Assert.That(cache.Translated, Is.EqualTo(1));
    }
}
