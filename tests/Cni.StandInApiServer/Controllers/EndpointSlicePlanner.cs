using k8s;
using k8s.Models;

namespace Cni.StandInApiServer.Controllers;

/// <summary>
/// Decides the EndpointSlice writes for one Service with a selector, following the real controller's reconciler
/// (k8s.io/endpointslice reconciler.go) so that slices look and churn as on a cluster: one set of slices per address
/// type of the Service and per distinct set of resolved ports; endpoints that did not change stay in their slice;
/// removed ones leave a gap that new ones fill (slices being updated first, fullest first, then the unchanged slice
/// that will be closest to full, then new slices); at most <c>maxEndpointsPerSlice</c> per slice; a slice that
/// would be deleted is reused for one that would be created; an empty placeholder slice when there are no endpoints.
/// Pure: it reads its arguments and returns the plan.
/// </summary>
internal sealed class EndpointSlicePlanner(string managedBy, int maxEndpointsPerSlice)
{
    /// <summary>The label naming a slice's Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The label naming the writer that manages a slice.</summary>
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";

    /// <summary>The label marking slices of a Service without a cluster IP.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>The plan for <paramref name="service"/> given the pods its selector matches, the nodes by name and the
    /// slices this writer manages for it.</summary>
    public EndpointSlicePlan Plan(V1Service service, IReadOnlyList<V1Pod> selectedPods, IReadOnlyDictionary<string, V1Node> nodes,
        IReadOnlyList<V1EndpointSlice> existing)
    {
        var addressTypes = AddressTypes(service);
        var create = new List<V1EndpointSlice>();
        var update = new List<V1EndpointSlice>();
        var delete = existing.Where(s => !addressTypes.Contains(s.AddressType)).ToList();
        foreach (var addressType in addressTypes)
        {
            var ofType = existing.Where(s => s.AddressType == addressType).ToList();
            var (c, u, d) = PlanAddressType(service, selectedPods, nodes, ofType, addressType);
            create.AddRange(c);
            update.AddRange(u);
            delete.AddRange(d);
        }

        return new(create, update.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList(),
            delete.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>The labels a slice of <paramref name="service"/> carries: the Service's own (minus the reserved keys),
    /// the service name, the writer, and the headless marker for a Service without cluster IP.</summary>
    public Dictionary<string, string> Labels(V1Service service)
    {
        var labels = (service.Metadata.Labels ?? new Dictionary<string, string>())
            .Where(l => l.Key is not (ServiceNameLabel or ManagedByLabel or HeadlessLabel))
            .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        if (service.Spec?.ClusterIP is null or "" or "None") labels[HeadlessLabel] = "";
        labels[ServiceNameLabel] = service.Metadata.Name;
        labels[ManagedByLabel] = managedBy;
        return labels;
    }

    /// <summary>The Service's IP families as address types; without families, the cluster IP's family, or both for a
    /// headless Service (upstream getAddressTypesForService).</summary>
    private static List<string> AddressTypes(V1Service service)
    {
        var families = (service.Spec?.IpFamilies ?? []).Where(f => f is "IPv4" or "IPv6").Distinct().ToList();
        if (families.Count > 0) return families;
        var clusterIp = service.Spec?.ClusterIP;
        if (!string.IsNullOrEmpty(clusterIp) && clusterIp != "None") return [clusterIp.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4"];
        return ["IPv4", "IPv6"];
    }

    private (List<V1EndpointSlice> Create, List<V1EndpointSlice> Update, List<V1EndpointSlice> Delete) PlanAddressType(
        V1Service service, IReadOnlyList<V1Pod> pods, IReadOnlyDictionary<string, V1Node> nodes, List<V1EndpointSlice> existing,
        string addressType)
    {
        var create = new List<V1EndpointSlice>();
        var update = new List<V1EndpointSlice>();
        var delete = new List<V1EndpointSlice>();

        // Slices of an older Service of the same name go; the others are grouped by their port set.
        var existingByPorts = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var slice in existing)
        {
            if (!OwnedBy(slice, service))
            {
                delete.Add(slice);
                continue;
            }

            var key = PodEndpoints.PortSetKey(slice.Ports);
            if (!existingByPorts.TryGetValue(key, out var group)) existingByPorts[key] = group = [];
            group.Add(slice);
        }

        // The desired endpoints, grouped by the set of ports they resolve (pods lacking a named port form their own group).
        var desired = new Dictionary<string, (List<Discoveryv1EndpointPort> Ports, Dictionary<string, V1Endpoint> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (!PodEndpoints.ShouldBeInEndpoints(pod)) continue;
            var ports = PodEndpoints.Ports(service, pod);
            var key = PodEndpoints.PortSetKey(ports);
            if (!desired.TryGetValue(key, out var group)) desired[key] = group = (ports, new Dictionary<string, V1Endpoint>(StringComparer.Ordinal));
            var node = !string.IsNullOrEmpty(pod.Spec?.NodeName) && nodes.TryGetValue(pod.Spec.NodeName, out var n) ? n : null;

            // Upstream leaves out a pod whose Node does not exist (unless not-ready addresses are published); the
            // writer comes back when the Node appears.
            if (node is null && service.Spec?.PublishNotReadyAddresses != true) continue;
            var endpoint = PodEndpoints.ToEndpoint(pod, node, service, addressType);
            if (endpoint.Addresses.Count > 0) group.Endpoints[PodEndpoints.IdentityKey(endpoint)] = endpoint;
        }

        foreach (var (key, (ports, endpoints)) in desired.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var (c, u, d) = PlanPortSet(service, existingByPorts.GetValueOrDefault(key) ?? [], endpoints, ports, addressType);
            create.AddRange(c);
            update.AddRange(u);
            delete.AddRange(d);
        }

        foreach (var (key, slices) in existingByPorts)
        {
            if (!desired.ContainsKey(key)) delete.AddRange(slices);
        }

        // With no slice left, one empty placeholder stays (an existing one is kept rather than replaced).
        if (existing.Count == delete.Count && create.Count == 0)
        {
            var placeholder = NewSlice(service, [], addressType);
            if (delete.Count == 1 && IsPlaceholder(delete[0], placeholder)) delete.Clear();
            else create.Add(placeholder);
        }

        // Rename creates into slices that would be deleted: fewer writes, and names stay stable.
        for (var i = 0; i < delete.Count && create.Count > 0;)
        {
            if (delete[i].AddressType == addressType && OwnedBy(delete[i], service))
            {
                var reused = create[^1];
                create.RemoveAt(create.Count - 1);
                reused.Metadata.Name = delete[i].Metadata.Name;
                reused.Metadata.GenerateName = null;
                update.Add(reused);
                delete.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        return (create, update, delete);
    }

    private (List<V1EndpointSlice> Create, List<V1EndpointSlice> Update, List<V1EndpointSlice> Delete) PlanPortSet(
        V1Service service, List<V1EndpointSlice> existing, Dictionary<string, V1Endpoint> desired, List<Discoveryv1EndpointPort> ports,
        string addressType)
    {
        var labels = Labels(service);
        var toUpdate = new List<V1EndpointSlice>();
        var unchanged = new List<V1EndpointSlice>();
        var delete = new List<V1EndpointSlice>();

        // 1. Keep the endpoints still desired where they are (with their new conditions), drop the others.
        foreach (var slice in existing.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            var kept = new List<V1Endpoint>();
            var endpointChanged = false;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                var key = PodEndpoints.IdentityKey(endpoint);
                if (!desired.Remove(key, out var wanted)) continue;
                kept.Add(wanted);
                endpointChanged |= KubernetesJson.Serialize(wanted) != KubernetesJson.Serialize(endpoint);
            }

            var labelsChanged = !SameLabels(slice.Metadata.Labels, labels);
            if (endpointChanged || kept.Count != (slice.Endpoints?.Count ?? 0))
            {
                if (kept.Count == 0)
                {
                    delete.Add(slice);
                    continue;
                }

                var changed = Clone(slice);
                changed.Endpoints = kept;
                changed.Metadata.Labels = new Dictionary<string, string>(labels);
                toUpdate.Add(changed);
            }
            else if (labelsChanged)
            {
                var relabelled = Clone(slice);
                relabelled.Metadata.Labels = new Dictionary<string, string>(labels);
                toUpdate.Add(relabelled);
            }
            else
            {
                unchanged.Add(slice);
            }
        }

        // New endpoints in a stable order (upstream pops them in map order).
        var remaining = new Queue<V1Endpoint>(desired.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => d.Value));

        // 2. Fill the slices being written anyway, fullest first.
        foreach (var slice in toUpdate.OrderByDescending(s => s.Endpoints.Count))
        {
            while (remaining.Count > 0 && slice.Endpoints.Count < maxEndpointsPerSlice) slice.Endpoints.Add(remaining.Dequeue());
        }

        // 3. The rest: into the one unchanged slice that ends closest to full, else into new slices.
        var create = new List<V1EndpointSlice>();
        while (remaining.Count > 0)
        {
            V1EndpointSlice? fill = null;
            if (remaining.Count < maxEndpointsPerSlice)
            {
                fill = unchanged
                    .Where(s => (s.Endpoints?.Count ?? 0) + remaining.Count <= maxEndpointsPerSlice)
                    .OrderByDescending(s => s.Endpoints?.Count ?? 0)
                    .FirstOrDefault();
            }

            if (fill is null)
            {
                fill = NewSlice(service, ports, addressType);
                create.Add(fill);
            }
            else
            {
                unchanged.Remove(fill);
                fill = Clone(fill);
                fill.Endpoints ??= [];
                toUpdate.Add(fill);
            }

            while (remaining.Count > 0 && fill.Endpoints.Count < maxEndpointsPerSlice) fill.Endpoints.Add(remaining.Dequeue());
        }

        return (create, toUpdate, delete);
    }

    private V1EndpointSlice NewSlice(V1Service service, List<Discoveryv1EndpointPort> ports, string addressType) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = Labels(service),
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name, Uid = service.Metadata.Uid,
                    Controller = true, BlockOwnerDeletion = true,
                },
            ],
        },
        AddressType = addressType,
        Ports = [.. ports],
        Endpoints = [],
    };

    private static bool OwnedBy(V1EndpointSlice slice, V1Service service) =>
        slice.Metadata.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid && o.Kind == "Service" && o.ApiVersion == "v1") == true;

    /// <summary>Upstream's placeholder comparison: same labels and address type, no endpoints, no ports.</summary>
    private static bool IsPlaceholder(V1EndpointSlice slice, V1EndpointSlice placeholder) =>
        slice.AddressType == placeholder.AddressType && (slice.Endpoints?.Count ?? 0) == 0 && (slice.Ports?.Count ?? 0) == 0
        && SameLabels(slice.Metadata.Labels, placeholder.Metadata.Labels);

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value);

    private static V1EndpointSlice Clone(V1EndpointSlice slice) => KubernetesJson.Deserialize<V1EndpointSlice>(KubernetesJson.Serialize(slice));
}
