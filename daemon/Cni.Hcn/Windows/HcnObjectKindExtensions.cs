namespace Cni.Hcn.Windows;

/// <summary>Export names per kind, used in error messages so they name the exact native function (as hcsshim does).</summary>
internal static class HcnObjectKindExtensions
{
    public static string ExportNoun(this HcnObjectKind kind) => kind switch
    {
        HcnObjectKind.Network => "Network",
        HcnObjectKind.Endpoint => "Endpoint",
        HcnObjectKind.Namespace => "Namespace",
        HcnObjectKind.LoadBalancer => "LoadBalancer",
        HcnObjectKind.SdnRoute => "SdnRoute",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string EnumerateExport(this HcnObjectKind kind) => $"HcnEnumerate{kind.ExportNoun()}s";

    public static string CreateExport(this HcnObjectKind kind) => $"HcnCreate{kind.ExportNoun()}";

    public static string OpenExport(this HcnObjectKind kind) => $"HcnOpen{kind.ExportNoun()}";

    public static string ModifyExport(this HcnObjectKind kind) => $"HcnModify{kind.ExportNoun()}";

    public static string QueryExport(this HcnObjectKind kind) => $"HcnQuery{kind.ExportNoun()}Properties";

    public static string DeleteExport(this HcnObjectKind kind) => $"HcnDelete{kind.ExportNoun()}";

    public static string CloseExport(this HcnObjectKind kind) => $"HcnClose{kind.ExportNoun()}";
}
