namespace Cni.Fuzz.Targets;

/// <summary>Every target, by name.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new CniInputTarget(),
        new NodeConfigTarget(),
        new FlannelAnnotationsTarget(),
        new DaemonRequestTarget(),
        new PluginHttpResponseTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
