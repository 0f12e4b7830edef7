using System.Collections.Frozen;
using System.Globalization;

namespace Cni.Hcn.Errors;

/// <summary>
/// The HRESULT → message table: every HCN_E_*/GCN_E_* code and the common Win32/COM ones, each with a likely cause and
/// a fix. Unknown codes get a generic entry that still names the hex code.
/// </summary>
public static class HcnErrorCatalog
{
    private static readonly HcnErrorInfo[] Entries =
    [
        new(HcnErrorCodes.NetworkNotFound, "HCN_E_NETWORK_NOT_FOUND", "The network was not found.",
            "The network ID does not exist: it was deleted (by a reboot for a non-persistent network, an HNS restart, or by hand), or the ID is stale.",
            "Re-read the network by name; wincnid recreates the node network on its next reconcile. Check `Get-HnsNetwork`."),
        new(HcnErrorCodes.EndpointNotFound, "HCN_E_ENDPOINT_NOT_FOUND", "The endpoint was not found.",
            "The endpoint ID does not exist: already deleted (a repeated DEL), removed with its network, or lost in an HNS restart.",
            "For delete/detach treat it as done; otherwise re-create the endpoint. Check `Get-HnsEndpoint`."),
        new(HcnErrorCodes.LayerNotFound, "HCN_E_LAYER_NOT_FOUND", "The network's underlying layer was not found.",
            "HNS lost the VFP layer behind the network, usually after a failed network create or a vSwitch reset.",
            "Delete and re-create the network; if it repeats, restart the hns service and check the VFP extension is enabled on the vSwitch."),
        new(HcnErrorCodes.SwitchNotFound, "HCN_E_SWITCH_NOT_FOUND", "The virtual switch was not found.",
            "The Hyper-V vSwitch backing the network is gone (removed, or the host adapter changed).",
            "Re-create the network; check `Get-VMSwitch` and that the NetAdapterName policy names an existing adapter."),
        new(HcnErrorCodes.SubnetNotFound, "HCN_E_SUBNET_NOT_FOUND", "The network does not have a subnet for this endpoint.",
            "The endpoint's IP address is outside every subnet of the network's Ipams (wrong podCIDR, or the network was created with another CIDR).",
            "Make the endpoint IP come from the network's subnet; if the node's podCIDR changed, re-create the network."),
        new(HcnErrorCodes.AdapterNotFound, "HCN_E_ADAPTER_NOT_FOUND", "An adapter was not found.",
            "The host network adapter named in NetAdapterName (or selected by ProviderAddress/InterfaceConstraint) does not exist.",
            "Set the adapter name to one shown by `Get-NetAdapter`, or leave it empty so HNS picks the default-route adapter."),
        new(HcnErrorCodes.PortNotFound, "HCN_E_PORT_NOT_FOUND", "The switch-port was not found.",
            "The endpoint's vSwitch port is gone, typically after a vSwitch reset or a half-completed delete.",
            "Delete and re-create the endpoint."),
        new(HcnErrorCodes.PolicyNotFound, "HCN_E_POLICY_NOT_FOUND", "An expected policy was not found.",
            "A Remove/Update named a policy the object does not have (already removed, or settings differ from the stored ones).",
            "For removal treat it as done; otherwise re-read the object's policies and send the stored settings."),
        new(HcnErrorCodes.VfpPortSettingNotFound, "HCN_E_VFP_PORTSETTING_NOT_FOUND", "A required VFP port setting was not found.",
            "The VFP state of the port is incomplete (VFP extension disabled, or a failed earlier policy apply).",
            "Re-create the endpoint; check the VFP extension is enabled on the vSwitch (`Get-VMSwitchExtension`)."),
        new(HcnErrorCodes.InvalidNetwork, "HCN_E_INVALID_NETWORK", "The provided network configuration is invalid or missing parameters.",
            "The network JSON is incomplete or inconsistent (missing subnet/routes, bad CIDR, policy not valid for this type).",
            "Check the Ipams: each subnet needs IpAddressPrefix and a default route with NextHop; check policies against the network type."),
        new(HcnErrorCodes.InvalidNetworkType, "HCN_E_INVALID_NETWORK_TYPE", "Invalid network type.",
            "The Type is unknown to this HNS or not allowed for the request (e.g. Overlay on a host without the feature).",
            "Use L2Bridge or Overlay (wincni's modes); check the HNS version supports the type."),
        new(HcnErrorCodes.InvalidEndpoint, "HCN_E_INVALID_ENDPOINT", "The provided endpoint configuration is invalid or missing parameters.",
            "The endpoint JSON is incomplete or inconsistent (IP/prefix/route/MAC mismatch, or HostComputeNamespace set on create).",
            "Check IpConfigurations, Routes and MacAddress; attach to a namespace through the namespace, not on create."),
        new(HcnErrorCodes.InvalidPolicy, "HCN_E_INVALID_POLICY", "The provided policy configuration is invalid or missing parameters.",
            "A policy's Settings are malformed or missing required members, or the policy is not valid on this object (e.g. an Overlay-only policy on L2Bridge, a VNI below 4096).",
            "Compare the policy JSON with the reference schema; check the policy type suits the network type and the HNS version."),
        new(HcnErrorCodes.InvalidPolicyType, "HCN_E_INVALID_POLICY_TYPE", "Invalid policy type.",
            "The policy Type string is unknown to this HNS (misspelt, wrong case such as OutboundNAT for OutBoundNAT, or too new).",
            "Use the exact Type string; check the feature's minimum HNS version (HcnFeatures)."),
        new(HcnErrorCodes.InvalidRemoteEndpointOperation, "HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION", "This requested operation is invalid for a remote endpoint.",
            "The operation (e.g. namespace attach) targeted an endpoint created with the RemoteEndpoint flag.",
            "Only attach local endpoints; remote endpoints exist for load-balancer backends on Overlay."),
        new(HcnErrorCodes.NetworkAlreadyExists, "HCN_E_NETWORK_ALREADY_EXISTS", "A network with this name already exists.",
            "A network with the same name or ID exists (a previous run created it, or another CNI owns the name).",
            "Open the existing network by name and reuse or delete it; pick a unique network name."),
        new(HcnErrorCodes.LayerAlreadyExists, "HCN_E_LAYER_ALREADY_EXISTS", "A network layer with this name already exists.",
            "A VFP layer left from an earlier network of the same name still exists.",
            "Delete the stale network; restart the hns service if the layer persists."),
        new(HcnErrorCodes.PolicyAlreadyExists, "HCN_E_POLICY_ALREADY_EXISTS", "Policy information already exists on this object.",
            "An Add sent a policy the object already has (e.g. the same RemoteSubnetRoute twice).",
            "Treat as converged, or diff the object's policies before adding; use Update to change settings."),
        new(HcnErrorCodes.PortAlreadyExists, "HCN_E_PORT_ALREADY_EXISTS", "The specified port already exists.",
            "A PortMapping (hostPort) or load-balancer port is already taken by another endpoint or load balancer.",
            "Pick a free host port, or remove the stale endpoint/load balancer holding it."),
        new(HcnErrorCodes.EndpointAlreadyAttached, "HCN_E_ENDPOINT_ALREADY_ATTACHED", "This endpoint is already attached to the switch.",
            "The endpoint is already attached (to this or another namespace/VM).",
            "Detach it first, or treat a repeated attach to the same namespace as done."),
        new(HcnErrorCodes.RequestUnsupported, "HCN_E_REQUEST_UNSUPPORTED", "The specified request is unsupported.",
            "This HNS version does not implement the request/resource type or policy (too old for the feature).",
            "Check HcnFeatures for the HNS version and fall back (e.g. delete+create instead of modify); update Windows."),
        new(HcnErrorCodes.MappingNotSupported, "HCN_E_MAPPING_NOT_SUPPORTED", "Port mapping is not supported on the given network.",
            "PortMapping (hostPort) was requested on a network type that does not support it.",
            "Use hostPort only on NAT/L2Bridge networks that support it, or implement it with a load balancer."),
        new(HcnErrorCodes.DegradedOperation, "HCN_E_DEGRADED_OPERATION", "There was an operation attempted on a degraded object.",
            "The object is in a degraded state after a partial failure (often after an HNS restart or adapter change).",
            "Delete and re-create the object."),
        new(HcnErrorCodes.SharedSwitchModification, "HCN_E_SHARED_SWITCH_MODIFICATION", "Cannot modify a switch shared by multiple networks.",
            "The change would alter a vSwitch that other networks use.",
            "Make the change on a dedicated network/adapter, or remove the other networks first."),
        new(HcnErrorCodes.GuidConversionFailure, "HCN_E_GUID_CONVERSION_FAILURE", "Failed to interpret a parameter as a GUID.",
            "A GUID member (ID, HostComputeNetwork, endpoint reference) is malformed.",
            "Send GUIDs in xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx form."),
        new(HcnErrorCodes.RegKeyFailure, "HCN_E_REGKEY_FAILURE", "Failed to process registry key.",
            "HNS could not read or write its registry state (permissions or corruption).",
            "Restart the hns service; check HNS event logs (Microsoft-Windows-Host-Network-Service-Admin)."),
        new(HcnErrorCodes.InvalidJson, "HCN_E_INVALID_JSON", "Invalid JSON document string.",
            "The settings or query text is not valid JSON, or a member has the wrong JSON type (e.g. a flag sent as a string).",
            "Serialize with HcnJson; send flags as numbers and Settings as nested objects."),
        new(HcnErrorCodes.InvalidJsonReference, "HCN_E_INVALID_JSON_REFERENCE", "The reference is invalid in the JSON document.",
            "The document refers to an object that does not exist (e.g. an endpoint ID in a load balancer).",
            "Make sure every referenced ID exists before the call."),
        new(HcnErrorCodes.EndpointSharingDisabled, "HCN_E_ENDPOINT_SHARING_DISABLED", "Endpoint sharing is disabled.",
            "The endpoint is used by a second container/namespace while sharing is off.",
            "Use one endpoint per pod namespace."),
        new(HcnErrorCodes.InvalidIp, "HCN_E_INVALID_IP", "IP address is either invalid or not part of any configured subnet(s).",
            "The endpoint IP is malformed or outside the network's subnets (podCIDR mismatch).",
            "Allocate the IP from the network's subnet; re-create the network if the podCIDR changed."),
        new(HcnErrorCodes.SwitchExtensionNotFound, "HCN_E_SWITCH_EXTENSION_NOT_FOUND", "The specified switch extension does not exist on this switch.",
            "A VSwitchExtension policy names an extension the vSwitch does not have.",
            "Check `Get-VMSwitchExtension` and the extension ID."),
        new(HcnErrorCodes.ManagerStopped, "HCN_E_MANAGER_STOPPED", "Operation cannot be performed while service is stopping.",
            "The HNS service is shutting down or restarting.",
            "Retry after HNS is running again (wincnid retries with backoff); check why hns restarted."),
        new(HcnErrorCodes.GcnModuleNotFound, "GCN_E_MODULE_NOT_FOUND", "Operation cannot be performed while service module not found.",
            "A guest network service module is missing (Hyper-V isolated pod / utility VM).",
            "Check the utility VM image and the GNS service; process-isolated pods do not use it."),
        new(HcnErrorCodes.GcnNoRequestHandlers, "GCN_E_NO_REQUEST_HANDLERS", "Request Handlers not present to handle the JSON request.",
            "The guest network service cannot handle this request type.",
            "Check the guest OS version matches the host; retry after the utility VM is fully up."),
        new(HcnErrorCodes.GcnRequestUnsupported, "GCN_E_REQUEST_UNSUPPORTED", "The specified request is unsupported.",
            "The guest network service does not support the request.",
            "Use a request supported by the guest OS version."),
        new(HcnErrorCodes.GcnRuntimeKeysFailed, "GCN_E_RUNTIMEKEYS_FAILED", "Add runtime keys to container failed.",
            "Setting network runtime keys inside the guest failed.",
            "Retry; re-create the pod if it persists."),
        new(HcnErrorCodes.GcnNetAdapterTimeout, "GCN_E_NETADAPTER_TIMEOUT", "Timeout while waiting for network adapter with the given instance id.",
            "The guest NIC did not appear in time (slow or overloaded utility VM).",
            "Retry; check host load and the utility VM."),
        new(HcnErrorCodes.GcnNetAdapterNotFound, "GCN_E_NETADAPTER_NOT_FOUND", "Network adapter not found for the given instance id.",
            "The guest NIC for the endpoint does not exist.",
            "Re-create the endpoint and re-attach it."),
        new(HcnErrorCodes.GcnNetCompartmentNotFound, "GCN_E_NETCOMPARTMENT_NOT_FOUND", "Network compartment not found for the given id.",
            "The namespace's compartment is gone (pod sandbox already torn down).",
            "Treat as gone on teardown; otherwise re-create the namespace."),
        new(HcnErrorCodes.GcnNetInterfaceNotFound, "GCN_E_NETINTERFACE_NOT_FOUND", "Network interface not found for the given id.",
            "The interface for the endpoint is missing in the compartment.",
            "Re-create the endpoint and re-attach it."),
        new(HcnErrorCodes.GcnDefaultNamespaceExists, "GCN_E_DEFAULTNAMESPACE_EXISTS", "Default Namespace already exists.",
            "A second default (HostDefault/GuestDefault) namespace was requested.",
            "Query the default namespace with {\"IsDefault\":true} and reuse it."),
        new(HcnErrorCodes.IcsDisabled, "HCN_E_ICS_DISABLED", "Internet Connection Sharing service (SharedAccess) is disabled and cannot be started.",
            "NAT/ICS networks need the SharedAccess service, which is disabled.",
            "Enable and start SharedAccess, or use L2Bridge/Overlay networks."),
        new(HcnErrorCodes.EndpointNamespaceAlreadyExists, "HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS", "This requested operation is invalid as endpoint is already part of a network namespace.",
            "The endpoint is already attached to a namespace (a repeated ADD or a stale attach).",
            "If it is the same namespace treat it as done; otherwise detach it first or delete the stale endpoint."),
        new(HcnErrorCodes.EntityHasReferences, "HCN_E_ENTITY_HAS_REFERENCES", "The specified entity cannot be removed while it still has references.",
            "The object is still used (an endpoint in a namespace or load balancer, a network with endpoints).",
            "Remove the references first: detach the endpoint, delete load balancers/endpoints, then retry."),
        new(HcnErrorCodes.InvalidInternalPort, "HCN_E_INVALID_INTERNAL_PORT", "The internal port must exist and cannot be zero.",
            "A PortMapping or load-balancer port mapping has InternalPort 0.",
            "Set InternalPort to the container/target port."),
        new(HcnErrorCodes.NamespaceAttachFailed, "HCN_E_NAMESPACE_ATTACH_FAILED", "The requested operation for attach namespace failed.",
            "HNS could not move the endpoint's NIC into the namespace compartment (namespace torn down, or compartment busy).",
            "Check the namespace still exists; delete and re-create the endpoint, then retry the attach."),
        new(HcnErrorCodes.AddrInvalidOrReserved, "HCN_E_ADDR_INVALID_OR_RESERVED", "An address provided is invalid or reserved.",
            "An IP is the subnet's network/broadcast/gateway address or otherwise reserved (e.g. the gateway of an L2Bridge network given to a pod).",
            "Do not hand out the network, gateway or broadcast address; check IPAM excludes them."),
        new(HcnErrorCodes.InvalidPrefix, "HCN_E_INVALID_PREFIX", "The prefix provided is invalid.",
            "A CIDR or PrefixLength is malformed or does not match the subnet.",
            "Send CIDRs in a.b.c.d/n form with host bits clear, and the subnet's prefix length."),
        new(HcnErrorCodes.ObjectUsedAfterUnload, "HCN_E_OBJECT_USED_AFTER_UNLOAD", "A call was performed against an object that was torn down.",
            "The object was deleted or HNS restarted while the handle was in use.",
            "Re-open the object by ID and retry."),
        new(HcnErrorCodes.InvalidSubnet, "HCN_E_INVALID_SUBNET", "The provided subnet configuration is invalid or missing parameters.",
            "A subnet lacks IpAddressPrefix or a default route, or overlaps another network's subnet.",
            "Give each subnet a prefix and a 0.0.0.0/0 (or ::/0) route with NextHop; avoid overlapping networks."),
        new(HcnErrorCodes.InvalidIpSubnet, "HCN_E_INVALID_IP_SUBNET", "The provided IP subnet configuration is invalid or missing parameters.",
            "An IpSubnet entry is malformed or outside its subnet.",
            "Fix the IpSubnets entries."),
        new(HcnErrorCodes.EndpointNotAttached, "HCN_E_ENDPOINT_NOT_ATTACHED", "The endpoint must be attached to complete the operation.",
            "The operation (e.g. detach) needs the endpoint attached, and it is not.",
            "For detach treat it as done; otherwise attach first."),
        new(HcnErrorCodes.EndpointNotLocal, "HCN_E_ENDPOINT_NOT_LOCAL", "The endpoint must be local to complete the operation.",
            "The operation was sent for a remote endpoint.",
            "Use a local endpoint for this operation."),
        new(HcnErrorCodes.InterfaceParametersAlreadyApplied, "HCN_INTERFACEPARAMETERS_ALREADY_APPLIED", "Cannot apply more than one InterfaceParameters policy.",
            "The endpoint already has an InterfaceParameters policy.",
            "Use Update instead of Add, or remove the existing policy first."),
        new(HcnErrorCodes.VfpNotAllowed, "HCN_E_VFP_NOT_ALLOWED", "A network of this type can not be created because VFP is not available.",
            "The VFP switch extension is missing or disabled, which Overlay/L2Bridge need.",
            "Enable the VFP extension (Hyper-V and Containers features installed); check `Get-VMSwitchExtension`."),
        new(HcnErrorCodes.ElementNotFound, "ERROR_NOT_FOUND", "Element not found.",
            "The object ID does not exist (HcnOpen*/HcnDelete* on a deleted or never-created namespace, load balancer or route).",
            "For delete/detach treat it as done; otherwise re-read by name and re-create."),
        new(HcnErrorCodes.ObjectAlreadyExists, "ERROR_OBJECT_ALREADY_EXISTS", "The object already exists.",
            "An object with the same ID/name (or an identical policy/route) already exists, commonly from a previous attempt.",
            "Open the existing object and reuse it, or delete it first."),
        new(HcnErrorCodes.AlreadyExists, "ERROR_ALREADY_EXISTS", "Cannot create a file when that file already exists.",
            "An object with the same identity already exists (a retried create, a duplicate load balancer VIP/port, or a duplicate route).",
            "Look the existing object up and reuse or delete it; make creates idempotent by name."),
        new(HcnErrorCodes.InvalidParameter, "E_INVALIDARG", "The parameter is incorrect.",
            "A member has an invalid value (bad GUID, CIDR, MAC or port), or a read-only member was set.",
            "Check the JSON against the schema; the HNS error record usually names the member."),
        new(HcnErrorCodes.NotImplemented, "E_NOTIMPL", "Not implemented.",
            "This HNS version does not implement the call (e.g. HcnModifyLoadBalancer before HNS 15.4).",
            "Fall back (delete + create for load balancers) and check HcnFeatures for the HNS version."),
        new(HcnErrorCodes.Fail, "E_FAIL", "Unspecified error.",
            "HNS failed without a specific code (also used when HNS returned an error record with a success HRESULT).",
            "Read the HNS error record in the message; check the HNS event logs (Microsoft-Windows-Host-Network-Service-Admin)."),
        new(HcnErrorCodes.Unexpected, "E_UNEXPECTED", "Catastrophic failure.",
            "HNS is in an unexpected state, typically during or after a service restart.",
            "Retry; restart the hns service if it persists."),
        new(HcnErrorCodes.AccessDenied, "E_ACCESSDENIED", "Access is denied.",
            "The caller is not SYSTEM/Administrator (wincnid must run as a HostProcess container as SYSTEM).",
            "Run wincnid as NT AUTHORITY\\SYSTEM (hostProcess: true)."),
        new(HcnErrorCodes.OutOfMemory, "E_OUTOFMEMORY", "Not enough memory resources are available to complete this operation.",
            "The host or HNS is out of memory.",
            "Reduce load on the node; restart the hns service."),
        new(HcnErrorCodes.DiskFull, "ERROR_DISK_FULL", "There is not enough space on the disk.",
            "The volume holding HNS's or wincnid's state is full, so the change could not be recorded.",
            "Free space on the system volume (and wincnid's stateDir); retry."),
        new(HcnErrorCodes.InvalidData, "ERROR_INVALID_DATA", "The data is invalid.",
            "HNS returned (or was sent) text that could not be parsed.",
            "Check the JSON; compare with the golden documents for this object."),
        new(HcnErrorCodes.FileNotFound, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified.",
            "A referenced object or component is missing (often a deleted object or a missing HNS component).",
            "Re-read the object; check the Containers feature is installed."),
        new(HcnErrorCodes.ModuleNotFound, "ERROR_MOD_NOT_FOUND", "The specified module could not be found.",
            "computenetwork.dll or vmcompute.dll is missing: the Containers / Hyper-V features are not installed, or this is not Windows Server 2019+/Windows 10 1809+.",
            "Install the Containers feature (Install-WindowsFeature Containers) and reboot."),
        new(HcnErrorCodes.ProcNotFound, "ERROR_PROC_NOT_FOUND", "The specified procedure could not be found.",
            "The HCN export does not exist on this Windows build (e.g. the SDN-route exports on older hosts).",
            "Avoid the feature on this build, or update Windows."),
        new(HcnErrorCodes.NotSupported, "ERROR_NOT_SUPPORTED", "The request is not supported.",
            "The operation or setting is not supported by this HNS/Windows build.",
            "Check HcnFeatures and avoid the setting on this build."),
        new(HcnErrorCodes.ServiceDisabled, "ERROR_SERVICE_DISABLED", "The service cannot be started because it is disabled.",
            "The hns (Host Network Service) or vmcompute service is disabled.",
            "Set-Service hns -StartupType Manual; Start-Service hns."),
        new(HcnErrorCodes.ServiceNotActive, "ERROR_SERVICE_NOT_ACTIVE", "The service has not been started.",
            "The hns service is not running.",
            "Start-Service hns; check why it stopped."),
        new(HcnErrorCodes.RpcServerUnavailable, "RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable.",
            "The hns service crashed or is restarting mid-call.",
            "Retry with backoff; check the hns service and its event log."),
        new(HcnErrorCodes.Timeout, "ERROR_TIMEOUT", "This operation returned because the timeout period expired.",
            "HNS did not finish in time (overloaded host, or a stuck vSwitch operation).",
            "Retry with backoff; check host load and HNS event logs."),
        new(HcnErrorCodes.InvalidState, "ERROR_INVALID_STATE", "The group or resource is not in the correct state to perform the requested operation.",
            "The object is mid-transition (being created, deleted or attached).",
            "Retry after a short backoff."),
        new(HcnErrorCodes.ObjectNotFound, "ERROR_OBJECT_NOT_FOUND", "The object identifier does not represent a valid object.",
            "The referenced object does not exist.",
            "Re-read by name and re-create, or treat as done on delete."),
    ];

    private static readonly FrozenDictionary<int, HcnErrorInfo> ByCode = Entries.ToFrozenDictionary(e => e.HResult);

    private static readonly FrozenSet<int> NotFoundCodes = new[]
    {
        HcnErrorCodes.ElementNotFound, HcnErrorCodes.NetworkNotFound, HcnErrorCodes.EndpointNotFound,
        HcnErrorCodes.ObjectNotFound, HcnErrorCodes.FileNotFound,
    }.ToFrozenSet();

    private static readonly FrozenSet<int> AlreadyExistsCodes = new[]
    {
        HcnErrorCodes.AlreadyExists, HcnErrorCodes.ObjectAlreadyExists, HcnErrorCodes.NetworkAlreadyExists,
        HcnErrorCodes.LayerAlreadyExists, HcnErrorCodes.PolicyAlreadyExists, HcnErrorCodes.PortAlreadyExists,
        HcnErrorCodes.EndpointAlreadyAttached, HcnErrorCodes.EndpointNamespaceAlreadyExists,
        HcnErrorCodes.GcnDefaultNamespaceExists,
    }.ToFrozenSet();

    // HNS is restarting, busy or slow: the same call is expected to work later (a CNI runtime retries on code 11, a
    // control loop on its next pass; nobody needs to act).
    private static readonly FrozenSet<int> TransientCodes = new[]
    {
        HcnErrorCodes.ManagerStopped, HcnErrorCodes.Timeout, HcnErrorCodes.RpcServerUnavailable,
        HcnErrorCodes.ServiceNotActive, HcnErrorCodes.GcnNetAdapterTimeout, HcnErrorCodes.OutOfMemory,
        HcnErrorCodes.DiskFull, // works again once space is freed; nothing was left half-done
        unchecked((int)0x800705AA), // ERROR_NO_SYSTEM_RESOURCES
        unchecked((int)0x800700AA), // ERROR_BUSY
    }.ToFrozenSet();

    /// <summary>Every known entry.</summary>
    public static IReadOnlyList<HcnErrorInfo> All => Entries;

    /// <summary>
    /// Turns a bare Win32 error code (hcsshim keeps only the low 16 bits of <c>0x8007xxxx</c>, e.g. 1168 or
    /// <c>0x1392</c>) into its HRESULT; HRESULTs pass through unchanged.
    /// </summary>
    /// <param name="code">An HRESULT or a Win32 code.</param>
    /// <returns>The HRESULT.</returns>
    public static int Normalize(int code) => code is > 0 and <= 0xFFFF ? unchecked((int)(0x80070000u | (uint)code)) : code;

    /// <summary>Formats an HRESULT as <c>0x803B0001</c>.</summary>
    /// <returns>The hex text.</returns>
    public static string FormatHResult(int hresult) => "0x" + hresult.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The entry for <paramref name="code"/> (HRESULT or bare Win32 code), or a generic one naming the code.</summary>
    /// <param name="code">An HRESULT or a Win32 code.</param>
    /// <returns>The entry.</returns>
    public static HcnErrorInfo Lookup(int code)
    {
        var hresult = Normalize(code);
        if (ByCode.TryGetValue(hresult, out var info))
        {
            return info;
        }

        var hex = FormatHResult(hresult);
        return new HcnErrorInfo(
            hresult,
            hex,
            $"Unrecognised HNS error {hex}.",
            $"HNS returned {hex}, which wincni has no entry for; the HNS error record, if any, says more.",
            $"Look up {hex} (winerror.h / `certutil -error {hex}`) and check the HNS event log (Microsoft-Windows-Host-Network-Service-Admin).");
    }

    /// <summary>Whether <paramref name="code"/> means the addressed object does not exist.</summary>
    /// <param name="code">An HRESULT or a Win32 code.</param>
    /// <returns>True for not-found codes.</returns>
    public static bool IsNotFound(int code) => NotFoundCodes.Contains(Normalize(code));

    /// <summary>Whether <paramref name="code"/> means the object (or policy, port, attachment) already exists.</summary>
    /// <param name="code">An HRESULT or a Win32 code.</param>
    /// <returns>True for already-exists codes.</returns>
    public static bool IsAlreadyExists(int code) => AlreadyExistsCodes.Contains(Normalize(code));

    /// <summary>Whether <paramref name="code"/> means HNS is stopping, busy or timing out: retrying later is expected to work.</summary>
    /// <param name="code">An HRESULT or a Win32 code.</param>
    /// <returns>True for transient codes.</returns>
    public static bool IsTransient(int code) => TransientCodes.Contains(Normalize(code));
}
