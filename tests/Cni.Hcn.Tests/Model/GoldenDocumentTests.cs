using Cni.Hcn.Tests.Json;
using Cni.Hcn.Tests.Model.Policies;

namespace Cni.Hcn.Tests.Model;

/// <summary>Every golden document: the model serializes to it, it deserializes to the model, and it round-trips.</summary>
[TestFixture]
public sealed class GoldenDocumentTests
{
    public static IEnumerable<GoldenCase> AllCases() =>
        GoldenCases.Objects()
            .Concat(GoldenCases.Requests())
            .Concat(PolicyGoldenCases.Network())
            .Concat(PolicyGoldenCases.Endpoint())
            .Concat(PolicyGoldenCases.Subnet());

    [TestCaseSource(nameof(AllCases))]
    public void Serialize_Model_MatchesGolden(GoldenCase golden)
    {
        var json = golden.Serialize(golden.Model);

        Assert.That(GoldenJson.Normalize(json), Is.EqualTo(GoldenJson.Normalize(GoldenJson.Load(golden.FileName))));
    }

    [TestCaseSource(nameof(AllCases))]
    public void Deserialize_Golden_EqualsModel(GoldenCase golden)
    {
        var model = golden.Deserialize(GoldenJson.Load(golden.FileName));

        Assert.That(StructuralDiff.Find(golden.Model, model), Is.Null);
    }

    [TestCaseSource(nameof(AllCases))]
    public void RoundTrip_Golden_IsUnchanged(GoldenCase golden)
    {
        var model = golden.Deserialize(GoldenJson.Load(golden.FileName));

        Assert.That(model, Is.Not.Null);
        Assert.That(
            GoldenJson.Normalize(golden.Serialize(model!)),
            Is.EqualTo(GoldenJson.Normalize(GoldenJson.Load(golden.FileName))));
    }

    [Test]
    public void AllCases_EveryGoldenFile_HasACase()
    {
        var covered = AllCases().Select(c => c.FileName).ToHashSet(StringComparer.Ordinal);

        Assert.That(GoldenJson.AllFileNames(), Is.SubsetOf(covered));
    }
}
