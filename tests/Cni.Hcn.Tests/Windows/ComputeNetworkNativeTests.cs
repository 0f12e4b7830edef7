using System.Reflection;
using System.Runtime.InteropServices;
using Cni.Hcn.Windows;

namespace Cni.Hcn.Tests.Windows;

/// <summary>
/// The static bindings against the documented signatures (MS-docs Reference/*.md, hcsshim
/// hcn/zsyscall_windows.go), parameter by parameter: G = GUID by pointer, S = PCWSTR, H = handle by
/// value, O = pointer-sized out (handle, PWSTR result or error record). A reordered or retyped parameter fails here
/// rather than as memory corruption on a Windows host.
/// </summary>
[TestFixture]
public sealed class ComputeNetworkNativeTests
{
    private static readonly (string Export, string Shape)[] Exports =
    [
        ("HcnEnumerateNetworks", "S O O"), ("HcnCreateNetwork", "G S O O"), ("HcnOpenNetwork", "G O O"),
        ("HcnModifyNetwork", "H S O"), ("HcnQueryNetworkProperties", "H S O O"), ("HcnDeleteNetwork", "G O"), ("HcnCloseNetwork", "H"),
        ("HcnEnumerateEndpoints", "S O O"), ("HcnCreateEndpoint", "H G S O O"), ("HcnOpenEndpoint", "G O O"),
        ("HcnModifyEndpoint", "H S O"), ("HcnQueryEndpointProperties", "H S O O"), ("HcnDeleteEndpoint", "G O"), ("HcnCloseEndpoint", "H"),
        ("HcnQueryEndpointStats", "H S O O"), ("HcnQueryEndpointAddresses", "H S O O"),
        ("HcnEnumerateNamespaces", "S O O"), ("HcnCreateNamespace", "G S O O"), ("HcnOpenNamespace", "G O O"),
        ("HcnModifyNamespace", "H S O"), ("HcnQueryNamespaceProperties", "H S O O"), ("HcnDeleteNamespace", "G O"), ("HcnCloseNamespace", "H"),
        ("HcnEnumerateLoadBalancers", "S O O"), ("HcnCreateLoadBalancer", "G S O O"), ("HcnOpenLoadBalancer", "G O O"),
        ("HcnModifyLoadBalancer", "H S O"), ("HcnQueryLoadBalancerProperties", "H S O O"), ("HcnDeleteLoadBalancer", "G O"), ("HcnCloseLoadBalancer", "H"),
        ("HcnRegisterServiceCallback", "F P O"), ("HcnUnregisterServiceCallback", "H"),
    ];

    public static IEnumerable<TestCaseData> ExportCases() =>
        Exports.Select(e => new TestCaseData(e.Export, e.Shape).SetArgDisplayNames(e.Export));

    [TestCaseSource(nameof(ExportCases))]
    public void Binding_Export_HasTheDocumentedParameterOrderAndReturnsHResult(string export, string shape)
    {
        var method = Bindings().SingleOrDefault(m => m.Attribute.EntryPoint == export).Method;

        Assert.That(method, Is.Not.Null, $"no LibraryImport for {export}");
        Assert.That(string.Join(' ', method!.GetParameters().Select(Shape)), Is.EqualTo(shape));
        Assert.That(method.ReturnType, Is.EqualTo(typeof(int)), "every export returns an HRESULT");
    }

    [Test]
    public void Bindings_All_UseComputeNetworkDllWithoutSetLastError()
    {
        var bindings = Bindings().ToList();

        Assert.That(bindings.Select(b => b.Attribute.EntryPoint), Is.EquivalentTo(Exports.Select(e => e.Export)));
        Assert.That(bindings.Select(b => b.Attribute.LibraryName).Distinct(), Is.EqualTo(new[] { "computenetwork.dll" }));
        Assert.That(bindings.Any(b => b.Attribute.SetLastError), Is.False);
    }

    [Test]
    public void HnsCall_Binding_IsVmComputeWithMethodPathRequestResponse()
    {
        var method = typeof(VmComputeNative).GetMethod(nameof(VmComputeNative.HNSCall), BindingFlags.Static | BindingFlags.NonPublic)!;
        var attribute = method.GetCustomAttribute<LibraryImportAttribute>()!;

        Assert.That(attribute.LibraryName, Is.EqualTo("vmcompute.dll"));
        Assert.That(attribute.EntryPoint, Is.EqualTo("HNSCall"));
        Assert.That(string.Join(' ', method.GetParameters().Select(Shape)), Is.EqualTo("S S S O"));
    }

    private static IEnumerable<(MethodInfo Method, LibraryImportAttribute Attribute)> Bindings() =>
        typeof(ComputeNetworkNative).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(b => b.Attribute is not null)
            .Select(b => (b.Method, b.Attribute!));

    private static string Shape(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type.IsFunctionPointer)
        {
            return "F";
        }

        if (type.IsPointer)
        {
            return "P";
        }

        if (type.IsByRef)
        {
            var element = type.GetElementType();
            return element == typeof(Guid) && parameter.IsIn ? "G" : element == typeof(nint) && parameter.IsOut ? "O" : "?" + element;
        }

        return type == typeof(string) ? "S" : type == typeof(nint) ? "H" : "?" + type;
    }
}
