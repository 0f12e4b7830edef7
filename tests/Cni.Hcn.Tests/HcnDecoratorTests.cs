using System.Reflection;
using Cni.Hcn.Errors;
using Cni.Hcn.Memory;

namespace Cni.Hcn.Tests;

public sealed class HcnDecoratorTests
{
    [Test]
    public async Task InvokeAsync_EveryIHcnCall_RoutedOnceWithTheMethodNameAsOperation()
    {
        var calls = typeof(IHcn).GetMethods().Where(m => m.IsAbstract).ToList();
        var decorator = new RecordingHcn(new MemoryHcn());

        foreach (var method in calls)
        {
            var arguments = method.GetParameters()
                .Select(p => p.ParameterType == typeof(CancellationToken) ? CancellationToken.None
                    : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType)
                    : p.ParameterType.GetConstructor(Type.EmptyTypes)?.Invoke(null))
                .ToArray();
            try
            {
                await (Task)method.Invoke(decorator, arguments)!;
            }
            catch (Exception e) when (e is HcnException or ArgumentException or TargetInvocationException)
            {
                // Unknown IDs and empty documents fail in the emulator; only the routing matters here.
            }
        }

        Assert.That(decorator.Operations, Is.EqualTo(calls.Select(m => m.Name[..^"Async".Length])));
    }

    [Test]
    public void AttachHelper_DefaultMethod_ReachesTheInnerThroughModifyNamespace()
    {
        var decorator = new RecordingHcn(new MemoryHcn());

        Assert.That(
            async () => await ((IHcn)decorator).AddNamespaceEndpointAsync(Guid.NewGuid(), Guid.NewGuid(), CancellationToken.None),
            Throws.InstanceOf<HcnException>());
        Assert.That(decorator.Operations, Is.EqualTo(new[] { "ModifyNamespace" }));
    }

    private sealed class RecordingHcn(IHcn inner) : HcnDecorator(inner)
    {
        public List<string> Operations { get; } = [];

        protected override Task<T> InvokeAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            Operations.Add(operation);
            return call(cancellationToken);
        }
    }
}
