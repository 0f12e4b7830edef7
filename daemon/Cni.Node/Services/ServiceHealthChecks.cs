using System.Collections.Immutable;

namespace Cni.Node.Services;

/// <summary>
/// The health-check node ports this node serves, as the last pass translated them: port → Service and local endpoint
/// count. The controller publishes; the daemon's HTTP listeners read (and open or close ports on <see cref="Changed"/>).
/// </summary>
public sealed class ServiceHealthChecks
{
    private ImmutableDictionary<int, ServiceHealthCheckEntry> _ports = ImmutableDictionary<int, ServiceHealthCheckEntry>.Empty;

    /// <summary>Raised after a publish that changed the set of ports (not after count changes alone).</summary>
    public event Action? Changed;

    /// <summary>The ports and what each answers.</summary>
    public ImmutableDictionary<int, ServiceHealthCheckEntry> Ports => Volatile.Read(ref _ports);

    /// <summary>Takes the health checks of <paramref name="translations"/>; a port claimed twice goes to the first Service by name.</summary>
    public void Publish(IEnumerable<ServiceTranslation> translations)
    {
        ArgumentNullException.ThrowIfNull(translations);
        var ports = ImmutableDictionary.CreateBuilder<int, ServiceHealthCheckEntry>();
        foreach (var translation in translations.Where(t => t.HealthCheck is not null).OrderBy(t => t.Service, StringComparer.Ordinal))
        {
            var check = translation.HealthCheck!;
            if (!ports.ContainsKey(check.NodePort))
            {
                ports[check.NodePort] = new ServiceHealthCheckEntry(translation.Service, check.LocalEndpoints);
            }
        }

        var next = ports.ToImmutable();
        var previous = Interlocked.Exchange(ref _ports, next);
        if (!previous.Keys.ToHashSet().SetEquals(next.Keys))
        {
            Changed?.Invoke();
        }
    }
}
