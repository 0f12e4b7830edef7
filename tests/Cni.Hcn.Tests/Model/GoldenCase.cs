using Cni.Hcn.Json;

namespace Cni.Hcn.Tests.Model;

/// <summary>One golden document and the model it must (de)serialize to/from.</summary>
public sealed class GoldenCase
{
    private GoldenCase(string fileName, object model, Func<object, string> serialize, Func<string, object?> deserialize)
    {
        FileName = fileName;
        Model = model;
        Serialize = serialize;
        Deserialize = deserialize;
    }

    public string FileName { get; }

    public object Model { get; }

    public Func<object, string> Serialize { get; }

    public Func<string, object?> Deserialize { get; }

    public static GoldenCase Of<T>(string fileName, T model)
        where T : notnull =>
        new(fileName, model, m => HcnJson.Serialize((T)m), s => HcnJson.Deserialize<T>(s));

    public override string ToString() => FileName;
}
