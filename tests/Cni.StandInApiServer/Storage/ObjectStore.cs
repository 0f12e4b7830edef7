using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Cni.StandInApiServer.Resources;
using Cni.StandInApiServer.Selectors;
using k8s;
using k8s.Models;

namespace Cni.StandInApiServer.Storage;

/// <summary>The stand-in's etcd plus registry: objects of every served resource, one global resourceVersion, a bounded
/// event history for watch resume, and the watchers. Thread-safe; writers never wait for watchers.
/// Every method hands out copies, so callers may modify what they get.</summary>
public sealed class ObjectStore
{
    private static readonly string[] ProtectedNamespaces = ["default", "kube-system", "kube-public"];

    private readonly Lock _gate = new();
    private readonly Dictionary<ResourceType, SortedDictionary<string, JsonObject>> _objects;
    private readonly List<StoreEvent> _history = [];
    private readonly List<WatchSubscription> _watchers = [];
    private readonly int _historyLimit;
    private readonly TimeProvider _time;
    private readonly ServiceAdmission _services;
    private readonly TimeSpan _namespaceFinalizationDelay;
    private long _resourceVersion;
    private long _compactedResourceVersion;

    /// <summary>Creates a store holding the namespaces every cluster has (default, kube-system).</summary>
    public ObjectStore(StandInApiServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _historyLimit = Math.Max(1, options.HistoryLimit);
        _time = options.TimeProvider;
        _services = new ServiceAdmission(options.ServiceCidr);
        _namespaceFinalizationDelay = options.NamespaceFinalizationDelay;
        _objects = ResourceTypes.All.ToDictionary(t => t, _ => new SortedDictionary<string, JsonObject>(StringComparer.Ordinal));
        foreach (var ns in new[] { "default", "kube-system" })
        {
            Create(ResourceTypes.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    /// <summary>The current (latest) resourceVersion.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_gate) return _resourceVersion;
        }
    }

    /// <summary>The oldest resourceVersion a watch or exact list may still start from.</summary>
    public long CompactedResourceVersion
    {
        get
        {
            lock (_gate) return _compactedResourceVersion;
        }
    }

    /// <summary>Number of open watches (for tests).</summary>
    public int WatcherCount
    {
        get
        {
            lock (_gate) return _watchers.Count;
        }
    }

    // ---------------------------------------------------------------- untyped API (JsonObject)

    /// <summary>Creates an object of <paramref name="resource"/> (plural, e.g. "nodes"); the namespace comes from its metadata.</summary>
    public JsonObject Create(string resource, JsonObject obj) => Create(ResourceTypes.ByPlural(resource), obj);

    /// <summary>A copy of the object, or null.</summary>
    public JsonObject? Get(string resource, string? ns, string name) => Get(ResourceTypes.ByPlural(resource), ns, name);

    /// <summary>Copies of all objects of <paramref name="resource"/>, in <paramref name="ns"/> or everywhere when null.</summary>
    public IReadOnlyList<JsonObject> List(string resource, string? ns = null) =>
        Snapshot(ResourceTypes.ByPlural(resource), ns, LabelSelector.Everything, FieldSelector.Everything, null).Items;

    /// <summary>Replaces an object (PUT semantics: the main resource ignores status; <paramref name="status"/> = true
    /// updates only status, as the status subresource does).</summary>
    public JsonObject Update(string resource, JsonObject obj, bool status = false) => Update(ResourceTypes.ByPlural(resource), obj, status);

    /// <summary>Deletes an object and returns its last state; throws <see cref="ApiException"/> 404 when missing.
    /// A pod given a <paramref name="gracePeriod"/> (and running on a node) is only marked: it gets
    /// <c>deletionTimestamp</c> (now + grace) and stays, terminating, until the grace period ends or a delete without
    /// grace period removes it; the returned state is then the terminating pod.</summary>
    public JsonObject Delete(string resource, string? ns, string name, TimeSpan? gracePeriod = null) =>
        Delete(ResourceTypes.ByPlural(resource), ns, name, null, gracePeriod: gracePeriod);

    /// <summary>Creates <paramref name="obj"/> (its <c>kind</c> says which resource) or, when it exists, replaces it
    /// without a resourceVersion precondition (PUT semantics: the status is kept), which is what <c>kubectl apply</c>
    /// amounts to for a whole object. Returns the stored object.</summary>
    public JsonObject Apply(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var kind = (string?)obj["kind"] ?? throw new ArgumentException("the object has no kind", nameof(obj));
        return Apply(ResourceTypes.ByKind(kind), obj);
    }

    private JsonObject Apply(ResourceType type, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        Metadata(copy).Remove("resourceVersion");
        var name = (string?)copy["metadata"]!["name"] ?? "";
        var ns = type.Namespaced ? (string?)copy["metadata"]!["namespace"] ?? "default" : null;

        // Create or replace, whichever the object's existence calls for at that moment (a concurrent delete or
        // create just means the other one).
        while (true)
        {
            try
            {
                return Get(type, ns, name) is null ? Create(type, copy) : Update(type, copy, status: false);
            }
            catch (ApiException e) when (e.Reason is "AlreadyExists" || e.Code == 404 && e.Kind == type.Plural && e.Name == name)
            {
                // raced: try the other verb
            }
        }
    }

    // ---------------------------------------------------------------- typed API (k8s.Models)

    /// <summary>Creates or replaces a typed object (see <see cref="Apply(JsonObject)"/>).</summary>
    public T Apply<T>(T obj) where T : IKubernetesObject<V1ObjectMeta> =>
        FromJson<T>(Apply(TypeOf<T>(), ToJson(obj)));

    /// <summary>Applies every document of a YAML manifest in order (<c>kubectl apply -f</c> in-process) and returns the
    /// stored objects as their model types. A refused document throws; the ones before it stay applied.</summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> ApplyYaml(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var applied = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var document in KubernetesYaml.LoadAllFromString(yaml))
        {
            if (document is not IKubernetesObject<V1ObjectMeta> obj)
            {
                throw new ArgumentException($"not a Kubernetes object with metadata: {document?.GetType().Name ?? "null"}", nameof(yaml));
            }

            var stored = Apply(ToJson(obj));

            // JSON is YAML: the loader maps the stored apiVersion/kind back to the model type.
            applied.Add((IKubernetesObject<V1ObjectMeta>)KubernetesYaml.LoadAllFromString(stored.ToJsonString()).Single());
        }

        return applied;
    }

    /// <summary>Creates a typed object (V1Node, V1Namespace, V1Pod, V1Service, V1EndpointSlice).</summary>
    public T Create<T>(T obj) where T : IKubernetesObject<V1ObjectMeta> =>
        FromJson<T>(Create(TypeOf<T>(), ToJson(obj)));

    /// <summary>Gets a typed object, or null.</summary>
    public T? Get<T>(string name, string? ns = null) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Get(TypeOf<T>(), ns, name) is { } o ? FromJson<T>(o) : null;

    /// <summary>Lists typed objects.</summary>
    public IReadOnlyList<T> List<T>(string? ns = null) where T : IKubernetesObject<V1ObjectMeta> =>
        Snapshot(TypeOf<T>(), ns, LabelSelector.Everything, FieldSelector.Everything, null).Items.Select(FromJson<T>).ToList();

    /// <summary>Updates a typed object (see <see cref="Update(string, JsonObject, bool)"/>).</summary>
    public T Update<T>(T obj, bool status = false) where T : IKubernetesObject<V1ObjectMeta> =>
        FromJson<T>(Update(TypeOf<T>(), ToJson(obj), status));

    /// <summary>Deletes a typed object.</summary>
    public void Delete<T>(string name, string? ns = null, TimeSpan? gracePeriod = null) where T : IKubernetesObject<V1ObjectMeta> =>
        Delete(TypeOf<T>(), ns, name, null, gracePeriod: gracePeriod);

    private static ResourceType TypeOf<T>()
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{typeof(T).Name} is not a Kubernetes model type");
        return ResourceTypes.ByKind(entity.Kind);
    }

    internal static JsonObject ToJson<T>(T obj) => JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();

    internal static T FromJson<T>(JsonObject obj) => KubernetesJson.Deserialize<T>(obj.ToJsonString());

    // ---------------------------------------------------------------- operations used by the HTTP layer

    internal JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects[type].TryGetValue(Key(type, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    internal JsonObject Create(ResourceType type, JsonObject input, bool dryRun = false)
    {
        var obj = (JsonObject)input.DeepClone();
        ObjectRules.CheckKind(type, obj);
        var meta = Metadata(obj);
        var ns = type.Namespaced ? (string?)meta["namespace"] ?? "default" : null;
        lock (_gate)
        {
            var name = (string?)meta["name"];
            if (string.IsNullOrEmpty(name))
            {
                var prefix = (string?)meta["generateName"];
                if (string.IsNullOrEmpty(prefix))
                {
                    throw ApiException.Invalid(type, "", ("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"));
                }

                do
                {
                    name = prefix + RandomSuffix();
                }
                while (_objects[type].ContainsKey(Key(type, ns, name)));
            }

            if (NameValidation.Check(type, name) is { } why)
            {
                throw ApiException.Invalid(type, name, ("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": {why}"));
            }

            ObjectRules.ValidateMetadata(type, name, meta);
            if (ns is not null && !_objects[ResourceTypes.Namespaces].ContainsKey(Key(ResourceTypes.Namespaces, null, ns)))
            {
                throw ApiException.NotFound(ResourceTypes.Namespaces, ns);
            }

            if (_objects[type].ContainsKey(Key(type, ns, name))) throw ApiException.AlreadyExists(type, name);
            if (ns is not null && _objects[ResourceTypes.Namespaces][Key(ResourceTypes.Namespaces, null, ns)]["metadata"]!["deletionTimestamp"] is not null)
            {
                throw new ApiException(403, "Forbidden",
                    $"{type.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    name, type.Plural, type.Group);
            }
            meta["name"] = name;
            if (ns is null) meta.Remove("namespace");
            else meta["namespace"] = ns;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Timestamp(_time.GetUtcNow());
            foreach (var server in new[] { "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink" })
            {
                meta.Remove(server);
            }

            if (type == ResourceTypes.Services || type == ResourceTypes.EndpointSlices) meta["generation"] = 1;
            else meta.Remove("generation");
            Admit(type, obj, null);
            if (dryRun) return (JsonObject)obj.DeepClone(); // dryRun=All: validated and defaulted, not stored
            meta["resourceVersion"] = Next();
            _objects[type][Key(type, ns, name)] = obj;
            Publish(new(_resourceVersion, WatchEventType.Added, type, obj, null));
            return (JsonObject)obj.DeepClone();
        }
    }

    internal JsonObject Update(ResourceType type, JsonObject input, bool status, bool dryRun = false)
    {
        var meta = Metadata(input);
        var name = (string?)meta["name"] ?? "";
        var ns = type.Namespaced ? (string?)meta["namespace"] ?? "default" : null;
        return Mutate(type, ns, name, status, _ => (JsonObject)input.DeepClone(), dryRun);
    }

    /// <summary>Read-modify-write under the lock (PATCH and PUT): <paramref name="change"/> gets a copy of the current
    /// object and returns the desired one; its metadata.resourceVersion, when set, is a precondition.</summary>
    internal JsonObject Mutate(ResourceType type, string? ns, string name, bool status, Func<JsonObject, JsonObject> change,
        bool dryRun = false)
    {
        lock (_gate)
        {
            if (!_objects[type].TryGetValue(Key(type, ns, name), out var current)) throw ApiException.NotFound(type, name);
            var desired = change((JsonObject)current.DeepClone());
            ObjectRules.CheckKind(type, desired);
            var meta = Metadata(desired);
            if ((string?)meta["name"] is { } newName && newName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({newName}) does not match the name on the URL ({name})");
            }

            var requestedRv = (string?)meta["resourceVersion"];
            var currentMeta = (JsonObject)current["metadata"]!;
            if (!string.IsNullOrEmpty(requestedRv) && requestedRv != (string?)currentMeta["resourceVersion"])
            {
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            JsonObject result;
            if (status)
            {
                // The status subresource only takes status; nodes also keep label/annotation changes, which is how
                // flannel writes its annotations through nodes/status on a real cluster.
                result = (JsonObject)current.DeepClone();
                result["status"] = desired["status"]?.DeepClone();
                if (type == ResourceTypes.Nodes)
                {
                    var resultMeta = (JsonObject)result["metadata"]!;
                    resultMeta["labels"] = meta["labels"]?.DeepClone();
                    resultMeta["annotations"] = meta["annotations"]?.DeepClone();
                    if (resultMeta["labels"] is null) resultMeta.Remove("labels");
                    if (resultMeta["annotations"] is null) resultMeta.Remove("annotations");
                }
            }
            else
            {
                result = desired;
                foreach (var fixedField in new[] { "uid", "creationTimestamp", "namespace", "generation", "deletionTimestamp", "deletionGracePeriodSeconds" })
                {
                    if (currentMeta[fixedField] is { } value) meta[fixedField] = value.DeepClone();
                    else meta.Remove(fixedField);
                }

                meta["name"] = name;
                meta.Remove("managedFields");
                if (type.HasStatus)
                {
                    if (current["status"] is { } oldStatus) result["status"] = oldStatus.DeepClone();
                    else result.Remove("status");
                }

                if (type == ResourceTypes.Namespaces) result["spec"] = current["spec"]?.DeepClone();
                Admit(type, result, current);
                ObjectRules.BumpGeneration(type, current, result);
            }

            ObjectRules.ValidateMetadata(type, name, (JsonObject)result["metadata"]!);
            ((JsonObject)result["metadata"]!)["resourceVersion"] = currentMeta["resourceVersion"]!.DeepClone();
            if (JsonNode.DeepEquals(result, current) || dryRun)
            {
                // A no-op write neither bumps the resourceVersion nor notifies; a dry run answers without storing.
                return (JsonObject)(dryRun ? result : current).DeepClone();
            }

            ((JsonObject)result["metadata"]!)["resourceVersion"] = Next();
            _objects[type][Key(type, ns, name)] = result;
            Publish(new(_resourceVersion, WatchEventType.Modified, type, result, current));
            return (JsonObject)result.DeepClone();
        }
    }

    internal JsonObject Delete(ResourceType type, string? ns, string name, JsonObject? preconditions, bool dryRun = false,
        TimeSpan? gracePeriod = null)
    {
        lock (_gate)
        {
            if (!_objects[type].TryGetValue(Key(type, ns, name), out var current)) throw ApiException.NotFound(type, name);
            var meta = (JsonObject)current["metadata"]!;
            if ((string?)preconditions?["uid"] is { Length: > 0 } uid && uid != (string?)meta["uid"])
            {
                throw ApiException.Conflict(type, name,
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)meta["uid"]}");
            }

            if ((string?)preconditions?["resourceVersion"] is { Length: > 0 } rv && rv != (string?)meta["resourceVersion"])
            {
                throw ApiException.Conflict(type, name,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {(string?)meta["resourceVersion"]}");
            }

            if (dryRun) return (JsonObject)current.DeepClone();
            if (type == ResourceTypes.Namespaces)
            {
                if (ProtectedNamespaces.Contains(name))
                {
                    throw new ApiException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                        name, "namespaces");
                }

                if (meta["deletionTimestamp"] is not null)
                {
                    throw ApiException.Conflict(type, name, "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.");
                }

                // Like the real server: the namespace turns Terminating now; its content and then the namespace itself
                // go away a moment later (the namespace controller's job), so deleting its objects right after works.
                var terminating = (JsonObject)current.DeepClone();
                terminating["metadata"]!["deletionTimestamp"] = Timestamp(_time.GetUtcNow());
                terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
                terminating["metadata"]!["resourceVersion"] = Next();
                _objects[type][Key(type, ns, name)] = terminating;
                Publish(new(_resourceVersion, WatchEventType.Modified, type, terminating, current));
                _ = FinalizeNamespaceAsync(name, (string)meta["uid"]!);
                return (JsonObject)terminating.DeepClone();
            }

            if (type == ResourceTypes.Pods && gracePeriod is { } requested && PodAdmission.EffectiveGracePeriod(current, requested) > TimeSpan.Zero)
            {
                return BeginGracefulDeleteLocked(ns, name, current, requested);
            }

            return (JsonObject)RemoveLocked(type, Key(type, ns, name)).DeepClone();
        }
    }

    /// <summary>Marks a pod terminating (the real server's graceful deletion); a later, shorter grace period moves the
    /// deadline earlier, a longer one changes nothing.</summary>
    private JsonObject BeginGracefulDeleteLocked(string? ns, string name, JsonObject current, TimeSpan grace)
    {
        var type = ResourceTypes.Pods;
        var seconds = (long)Math.Ceiling(grace.TotalSeconds);
        var meta = (JsonObject)current["metadata"]!;
        if (meta["deletionGracePeriodSeconds"] is JsonValue previous && previous.TryGetValue<long>(out var previousSeconds) && previousSeconds <= seconds)
        {
            return (JsonObject)current.DeepClone();
        }

        var terminating = (JsonObject)current.DeepClone();
        var terminatingMeta = (JsonObject)terminating["metadata"]!;
        terminatingMeta["deletionTimestamp"] = Timestamp(_time.GetUtcNow() + TimeSpan.FromSeconds(seconds));
        terminatingMeta["deletionGracePeriodSeconds"] = seconds;
        terminatingMeta["resourceVersion"] = Next();
        _objects[type][Key(type, ns, name)] = terminating;
        Publish(new(_resourceVersion, WatchEventType.Modified, type, terminating, current));
        _ = FinishGracefulDeleteAsync(ns, name, (string)meta["uid"]!, grace);
        return (JsonObject)terminating.DeepClone();
    }

    /// <summary>Removes a terminating pod when its grace period ends: with no kubelet to confirm the containers are
    /// gone, the end of the grace period (when a kubelet would have killed them) stands in for that.</summary>
    private async Task FinishGracefulDeleteAsync(string? ns, string name, string uid, TimeSpan grace)
    {
        await Task.Delay(grace, _time).ConfigureAwait(false);
        lock (_gate)
        {
            var type = ResourceTypes.Pods;
            var key = Key(type, ns, name);
            if (_objects[type].TryGetValue(key, out var current) && (string?)current["metadata"]!["uid"] == uid
                && current["metadata"]!["deletionTimestamp"] is not null)
            {
                RemoveLocked(type, key);
            }
        }
    }

    private async Task FinalizeNamespaceAsync(string name, string uid)
    {
        await Task.Delay(_namespaceFinalizationDelay, _time).ConfigureAwait(false);
        lock (_gate)
        {
            var key = Key(ResourceTypes.Namespaces, null, name);
            if (!_objects[ResourceTypes.Namespaces].TryGetValue(key, out var current) || (string?)current["metadata"]!["uid"] != uid) return;
            foreach (var inner in ResourceTypes.All.Where(t => t.Namespaced))
            {
                foreach (var innerKey in _objects[inner].Keys.Where(k => k.StartsWith(name + "/", StringComparison.Ordinal)).ToList())
                {
                    RemoveLocked(inner, innerKey);
                }
            }

            RemoveLocked(ResourceTypes.Namespaces, key);
        }
    }

    private JsonObject RemoveLocked(ResourceType type, string key)
    {
        var current = _objects[type][key];
        _objects[type].Remove(key);
        var last = (JsonObject)current.DeepClone();
        ((JsonObject)last["metadata"]!)["resourceVersion"] = Next();
        Publish(new(_resourceVersion, WatchEventType.Deleted, type, last, current));
        return last;
    }

    /// <summary>Objects of <paramref name="type"/> matching the selectors, as of <paramref name="atResourceVersion"/>
    /// (null = now). Rebuilt from history for older versions; 410 Expired when that history is gone.</summary>
    internal (List<JsonObject> Items, long ResourceVersion) Snapshot(
        ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, long? atResourceVersion)
    {
        lock (_gate)
        {
            var state = new SortedDictionary<string, JsonObject>(_objects[type], StringComparer.Ordinal);
            var rv = _resourceVersion;
            if (atResourceVersion is { } at && at < _resourceVersion)
            {
                if (at < _compactedResourceVersion)
                {
                    throw ApiException.Expired(string.Create(CultureInfo.InvariantCulture,
                        $"too old resource version: {at} ({_compactedResourceVersion})"));
                }

                // Undo the newer events, newest first.
                for (var i = _history.Count - 1; i >= 0 && _history[i].ResourceVersion > at; i--)
                {
                    var e = _history[i];
                    if (!ReferenceEquals(e.Resource, type)) continue;
                    var meta = (JsonObject)e.Object["metadata"]!;
                    var key = Key(type, (string?)meta["namespace"], (string)meta["name"]!);
                    if (e.Type == WatchEventType.Added) state.Remove(key);
                    else state[key] = e.Previous!;
                }

                rv = at;
            }

            var items = state
                .Where(p => ns is null || p.Key.StartsWith(ns + "/", StringComparison.Ordinal))
                .Select(p => p.Value)
                .Where(o => labels.Matches(o) && fields.Matches(o))
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, rv);
        }
    }

    /// <summary>Registers a watch. <paramref name="fromResourceVersion"/> null or 0 starts with synthetic ADDED events
    /// for the current objects; otherwise history after it is replayed, or 410 when it was compacted away.</summary>
    internal WatchSubscription Watch(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields,
        long? fromResourceVersion, bool initialEventsEndBookmark, int capacity)
    {
        var subscription = new WatchSubscription(this, type, ns, labels, fields, capacity);
        lock (_gate)
        {
            if (fromResourceVersion is null or 0)
            {
                foreach (var (key, obj) in _objects[type])
                {
                    if ((ns is null || key.StartsWith(ns + "/", StringComparison.Ordinal)) && subscription.Matches(obj))
                    {
                        subscription.Initial.Add(new(WatchEventType.Added, (JsonObject)obj.DeepClone()));
                    }
                }

                if (initialEventsEndBookmark)
                {
                    var bookmark = BookmarkObject(type, _resourceVersion);
                    ((JsonObject)bookmark["metadata"]!)["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
                    subscription.Initial.Add(new(WatchEventType.Bookmark, bookmark));
                }
            }
            else
            {
                var from = fromResourceVersion.Value;
                if (from < _compactedResourceVersion)
                {
                    throw ApiException.Expired(string.Create(CultureInfo.InvariantCulture,
                        $"too old resource version: {from} ({_compactedResourceVersion})"));
                }

                foreach (var e in _history.Where(e => e.ResourceVersion > from))
                {
                    if (subscription.Translate(e) is { } frame) subscription.Initial.Add(frame);
                }
            }

            _watchers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Queues a BOOKMARK at the current resourceVersion behind everything already queued for the watcher.</summary>
    internal void Bookmark(WatchSubscription subscription)
    {
        lock (_gate)
        {
            if (!_watchers.Contains(subscription)) return;
            if (!subscription.TryPost(new(WatchEventType.Bookmark, BookmarkObject(subscription.Type, _resourceVersion))))
            {
                DropLocked(subscription, overflowed: true);
            }
        }
    }

    internal static JsonObject BookmarkObject(ResourceType type, long rv) => new()
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
    };

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate) DropLocked(subscription, overflowed: false);
    }

    /// <summary>Ends every watch (server stop).</summary>
    internal void CloseAllWatches()
    {
        lock (_gate)
        {
            foreach (var w in _watchers.ToList()) DropLocked(w, overflowed: false);
        }
    }

    /// <summary>Forgets all history: watches and exact lists from an older resourceVersion now get 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedResourceVersion = _resourceVersion;
        }
    }

    private void DropLocked(WatchSubscription subscription, bool overflowed)
    {
        _watchers.Remove(subscription);
        subscription.Close(overflowed);
    }

    private void Publish(StoreEvent e)
    {
        _history.Add(e);
        if (_history.Count > _historyLimit)
        {
            var drop = _history.Count - _historyLimit;
            _compactedResourceVersion = _history[drop - 1].ResourceVersion;
            _history.RemoveRange(0, drop);
        }

        foreach (var w in _watchers.ToList())
        {
            if (w.Translate(e) is { } frame && !w.TryPost(frame)) DropLocked(w, overflowed: true);
        }
    }

    private string Next() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private void Admit(ResourceType type, JsonObject obj, JsonObject? old)
    {
        var name = (string)obj["metadata"]!["name"]!;
        if (type == ResourceTypes.Services)
        {
            var ns = (string?)obj["metadata"]!["namespace"];
            var others = _objects[type].Where(p => p.Key != Key(type, ns, name)).Select(p => p.Value);
            _services.Admit(obj, old, others);
        }
        else if (type == ResourceTypes.Namespaces && old is null)
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (type == ResourceTypes.EndpointSlices)
        {
            ObjectRules.AdmitEndpointSlice(obj, name);
        }
        else if (type == ResourceTypes.Pods)
        {
            PodAdmission.Admit(obj, old);
        }

        if (type == ResourceTypes.Namespaces)
        {
            // Set by the real server since 1.21 on every namespace.
            var meta = (JsonObject)obj["metadata"]!;
            if (meta["labels"] is not JsonObject labels)
            {
                labels = [];
                meta["labels"] = labels;
            }

            labels["kubernetes.io/metadata.name"] = name;
        }
    }

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    private static string Key(ResourceType type, string? ns, string name) => type.Namespaced ? $"{ns ?? "default"}/{name}" : "/" + name;

    internal static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string RandomSuffix()
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789"; // the real server's alphabet: no vowels, no look-alikes
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        });
    }
}
