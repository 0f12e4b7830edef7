namespace Cni.Hcn.Errors;

/// <summary>
/// HRESULTs HNS returns (MS-docs <c>HCNHResult.md</c>; the same values are in golang.org/x/sys/windows) and the Win32/COM ones seen in practice.
/// </summary>
public static class HcnErrorCodes
{
    /// <summary><c>HCN_E_NETWORK_NOT_FOUND</c> (0x803B0001): The network was not found.</summary>
    public const int NetworkNotFound = unchecked((int)0x803B0001);

    /// <summary><c>HCN_E_ENDPOINT_NOT_FOUND</c> (0x803B0002): The endpoint was not found.</summary>
    public const int EndpointNotFound = unchecked((int)0x803B0002);

    /// <summary><c>HCN_E_LAYER_NOT_FOUND</c> (0x803B0003): The network's underlying layer was not found.</summary>
    public const int LayerNotFound = unchecked((int)0x803B0003);

    /// <summary><c>HCN_E_SWITCH_NOT_FOUND</c> (0x803B0004): The virtual switch was not found.</summary>
    public const int SwitchNotFound = unchecked((int)0x803B0004);

    /// <summary><c>HCN_E_SUBNET_NOT_FOUND</c> (0x803B0005): The network does not have a subnet for this endpoint.</summary>
    public const int SubnetNotFound = unchecked((int)0x803B0005);

    /// <summary><c>HCN_E_ADAPTER_NOT_FOUND</c> (0x803B0006): An adapter was not found.</summary>
    public const int AdapterNotFound = unchecked((int)0x803B0006);

    /// <summary><c>HCN_E_PORT_NOT_FOUND</c> (0x803B0007): The switch-port was not found.</summary>
    public const int PortNotFound = unchecked((int)0x803B0007);

    /// <summary><c>HCN_E_POLICY_NOT_FOUND</c> (0x803B0008): An expected policy was not found.</summary>
    public const int PolicyNotFound = unchecked((int)0x803B0008);

    /// <summary><c>HCN_E_VFP_PORTSETTING_NOT_FOUND</c> (0x803B0009): A required VFP port setting was not found.</summary>
    public const int VfpPortSettingNotFound = unchecked((int)0x803B0009);

    /// <summary><c>HCN_E_INVALID_NETWORK</c> (0x803B000A): The provided network configuration is invalid or missing parameters.</summary>
    public const int InvalidNetwork = unchecked((int)0x803B000A);

    /// <summary><c>HCN_E_INVALID_NETWORK_TYPE</c> (0x803B000B): Invalid network type.</summary>
    public const int InvalidNetworkType = unchecked((int)0x803B000B);

    /// <summary><c>HCN_E_INVALID_ENDPOINT</c> (0x803B000C): The provided endpoint configuration is invalid or missing parameters.</summary>
    public const int InvalidEndpoint = unchecked((int)0x803B000C);

    /// <summary><c>HCN_E_INVALID_POLICY</c> (0x803B000D): The provided policy configuration is invalid or missing parameters.</summary>
    public const int InvalidPolicy = unchecked((int)0x803B000D);

    /// <summary><c>HCN_E_INVALID_POLICY_TYPE</c> (0x803B000E): Invalid policy type.</summary>
    public const int InvalidPolicyType = unchecked((int)0x803B000E);

    /// <summary><c>HCN_E_INVALID_REMOTE_ENDPOINT_OPERATION</c> (0x803B000F): This requested operation is invalid for a remote endpoint.</summary>
    public const int InvalidRemoteEndpointOperation = unchecked((int)0x803B000F);

    /// <summary><c>HCN_E_NETWORK_ALREADY_EXISTS</c> (0x803B0010): A network with this name already exists.</summary>
    public const int NetworkAlreadyExists = unchecked((int)0x803B0010);

    /// <summary><c>HCN_E_LAYER_ALREADY_EXISTS</c> (0x803B0011): A network layer with this name already exists.</summary>
    public const int LayerAlreadyExists = unchecked((int)0x803B0011);

    /// <summary><c>HCN_E_POLICY_ALREADY_EXISTS</c> (0x803B0012): Policy information already exists on this object.</summary>
    public const int PolicyAlreadyExists = unchecked((int)0x803B0012);

    /// <summary><c>HCN_E_PORT_ALREADY_EXISTS</c> (0x803B0013): The specified port already exists.</summary>
    public const int PortAlreadyExists = unchecked((int)0x803B0013);

    /// <summary><c>HCN_E_ENDPOINT_ALREADY_ATTACHED</c> (0x803B0014): This endpoint is already attached to the switch.</summary>
    public const int EndpointAlreadyAttached = unchecked((int)0x803B0014);

    /// <summary><c>HCN_E_REQUEST_UNSUPPORTED</c> (0x803B0015): The specified request is unsupported.</summary>
    public const int RequestUnsupported = unchecked((int)0x803B0015);

    /// <summary><c>HCN_E_MAPPING_NOT_SUPPORTED</c> (0x803B0016): Port mapping is not supported on the given network.</summary>
    public const int MappingNotSupported = unchecked((int)0x803B0016);

    /// <summary><c>HCN_E_DEGRADED_OPERATION</c> (0x803B0017): There was an operation attempted on a degraded object.</summary>
    public const int DegradedOperation = unchecked((int)0x803B0017);

    /// <summary><c>HCN_E_SHARED_SWITCH_MODIFICATION</c> (0x803B0018): Cannot modify a switch shared by multiple networks.</summary>
    public const int SharedSwitchModification = unchecked((int)0x803B0018);

    /// <summary><c>HCN_E_GUID_CONVERSION_FAILURE</c> (0x803B0019): Failed to interpret a parameter as a GUID.</summary>
    public const int GuidConversionFailure = unchecked((int)0x803B0019);

    /// <summary><c>HCN_E_REGKEY_FAILURE</c> (0x803B001A): Failed to process registry key.</summary>
    public const int RegKeyFailure = unchecked((int)0x803B001A);

    /// <summary><c>HCN_E_INVALID_JSON</c> (0x803B001B): Invalid JSON document string.</summary>
    public const int InvalidJson = unchecked((int)0x803B001B);

    /// <summary><c>HCN_E_INVALID_JSON_REFERENCE</c> (0x803B001C): The reference is invalid in the JSON document.</summary>
    public const int InvalidJsonReference = unchecked((int)0x803B001C);

    /// <summary><c>HCN_E_ENDPOINT_SHARING_DISABLED</c> (0x803B001D): Endpoint sharing is disabled.</summary>
    public const int EndpointSharingDisabled = unchecked((int)0x803B001D);

    /// <summary><c>HCN_E_INVALID_IP</c> (0x803B001E): IP address is either invalid or not part of any configured subnet(s).</summary>
    public const int InvalidIp = unchecked((int)0x803B001E);

    /// <summary><c>HCN_E_SWITCH_EXTENSION_NOT_FOUND</c> (0x803B001F): The specified switch extension does not exist on this switch.</summary>
    public const int SwitchExtensionNotFound = unchecked((int)0x803B001F);

    /// <summary><c>HCN_E_MANAGER_STOPPED</c> (0x803B0020): Operation cannot be performed while service is stopping.</summary>
    public const int ManagerStopped = unchecked((int)0x803B0020);

    /// <summary><c>GCN_E_MODULE_NOT_FOUND</c> (0x803B0021): Operation cannot be performed while service module not found.</summary>
    public const int GcnModuleNotFound = unchecked((int)0x803B0021);

    /// <summary><c>GCN_E_NO_REQUEST_HANDLERS</c> (0x803B0022): Request Handlers not present to handle the JSON request.</summary>
    public const int GcnNoRequestHandlers = unchecked((int)0x803B0022);

    /// <summary><c>GCN_E_REQUEST_UNSUPPORTED</c> (0x803B0023): The specified request is unsupported.</summary>
    public const int GcnRequestUnsupported = unchecked((int)0x803B0023);

    /// <summary><c>GCN_E_RUNTIMEKEYS_FAILED</c> (0x803B0024): Add runtime keys to container failed.</summary>
    public const int GcnRuntimeKeysFailed = unchecked((int)0x803B0024);

    /// <summary><c>GCN_E_NETADAPTER_TIMEOUT</c> (0x803B0025): Timeout while waiting for network adapter with the given instance id.</summary>
    public const int GcnNetAdapterTimeout = unchecked((int)0x803B0025);

    /// <summary><c>GCN_E_NETADAPTER_NOT_FOUND</c> (0x803B0026): Network adapter not found for the given instance id.</summary>
    public const int GcnNetAdapterNotFound = unchecked((int)0x803B0026);

    /// <summary><c>GCN_E_NETCOMPARTMENT_NOT_FOUND</c> (0x803B0027): Network compartment not found for the given id.</summary>
    public const int GcnNetCompartmentNotFound = unchecked((int)0x803B0027);

    /// <summary><c>GCN_E_NETINTERFACE_NOT_FOUND</c> (0x803B0028): Network interface not found for the given id.</summary>
    public const int GcnNetInterfaceNotFound = unchecked((int)0x803B0028);

    /// <summary><c>GCN_E_DEFAULTNAMESPACE_EXISTS</c> (0x803B0029): Default Namespace already exists.</summary>
    public const int GcnDefaultNamespaceExists = unchecked((int)0x803B0029);

    /// <summary><c>HCN_E_ICS_DISABLED</c> (0x803B002A): Internet Connection Sharing service (SharedAccess) is disabled and cannot be started.</summary>
    public const int IcsDisabled = unchecked((int)0x803B002A);

    /// <summary><c>HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS</c> (0x803B002B): This requested operation is invalid as endpoint is already part of a network namespace.</summary>
    public const int EndpointNamespaceAlreadyExists = unchecked((int)0x803B002B);

    /// <summary><c>HCN_E_ENTITY_HAS_REFERENCES</c> (0x803B002C): The specified entity cannot be removed while it still has references.</summary>
    public const int EntityHasReferences = unchecked((int)0x803B002C);

    /// <summary><c>HCN_E_INVALID_INTERNAL_PORT</c> (0x803B002D): The internal port must exist and cannot be zero.</summary>
    public const int InvalidInternalPort = unchecked((int)0x803B002D);

    /// <summary><c>HCN_E_NAMESPACE_ATTACH_FAILED</c> (0x803B002E): The requested operation for attach namespace failed.</summary>
    public const int NamespaceAttachFailed = unchecked((int)0x803B002E);

    /// <summary><c>HCN_E_ADDR_INVALID_OR_RESERVED</c> (0x803B002F): An address provided is invalid or reserved.</summary>
    public const int AddrInvalidOrReserved = unchecked((int)0x803B002F);

    /// <summary><c>HCN_E_INVALID_PREFIX</c> (0x803B0030): The prefix provided is invalid.</summary>
    public const int InvalidPrefix = unchecked((int)0x803B0030);

    /// <summary><c>HCN_E_OBJECT_USED_AFTER_UNLOAD</c> (0x803B0031): A call was performed against an object that was torn down.</summary>
    public const int ObjectUsedAfterUnload = unchecked((int)0x803B0031);

    /// <summary><c>HCN_E_INVALID_SUBNET</c> (0x803B0032): The provided subnet configuration is invalid or missing parameters.</summary>
    public const int InvalidSubnet = unchecked((int)0x803B0032);

    /// <summary><c>HCN_E_INVALID_IP_SUBNET</c> (0x803B0033): The provided IP subnet configuration is invalid or missing parameters.</summary>
    public const int InvalidIpSubnet = unchecked((int)0x803B0033);

    /// <summary><c>HCN_E_ENDPOINT_NOT_ATTACHED</c> (0x803B0034): The endpoint must be attached to complete the operation.</summary>
    public const int EndpointNotAttached = unchecked((int)0x803B0034);

    /// <summary><c>HCN_E_ENDPOINT_NOT_LOCAL</c> (0x803B0035): The endpoint must be local to complete the operation.</summary>
    public const int EndpointNotLocal = unchecked((int)0x803B0035);

    /// <summary><c>HCN_INTERFACEPARAMETERS_ALREADY_APPLIED</c> (0x803B0036): Cannot apply more than one InterfaceParameters policy.</summary>
    public const int InterfaceParametersAlreadyApplied = unchecked((int)0x803B0036);

    /// <summary><c>HCN_E_VFP_NOT_ALLOWED</c> (0x803B0037): A network of this type can not be created because VFP is not available.</summary>
    public const int VfpNotAllowed = unchecked((int)0x803B0037);

    /// <summary><c>ERROR_NOT_FOUND</c> (0x80070490): Element not found.</summary>
    public const int ElementNotFound = unchecked((int)0x80070490);

    /// <summary><c>ERROR_OBJECT_ALREADY_EXISTS</c> (0x80071392): The object already exists.</summary>
    public const int ObjectAlreadyExists = unchecked((int)0x80071392);

    /// <summary><c>ERROR_ALREADY_EXISTS</c> (0x800700B7): Cannot create a file when that file already exists.</summary>
    public const int AlreadyExists = unchecked((int)0x800700B7);

    /// <summary><c>E_INVALIDARG</c> (0x80070057): The parameter is incorrect.</summary>
    public const int InvalidParameter = unchecked((int)0x80070057);

    /// <summary><c>E_NOTIMPL</c> (0x80004001): Not implemented.</summary>
    public const int NotImplemented = unchecked((int)0x80004001);

    /// <summary><c>E_FAIL</c> (0x80004005): Unspecified error.</summary>
    public const int Fail = unchecked((int)0x80004005);

    /// <summary><c>E_UNEXPECTED</c> (0x8000FFFF): Catastrophic failure.</summary>
    public const int Unexpected = unchecked((int)0x8000FFFF);

    /// <summary><c>E_ACCESSDENIED</c> (0x80070005): Access is denied.</summary>
    public const int AccessDenied = unchecked((int)0x80070005);

    /// <summary><c>E_OUTOFMEMORY</c> (0x8007000E): Not enough memory resources are available to complete this operation.</summary>
    public const int OutOfMemory = unchecked((int)0x8007000E);

    /// <summary><c>ERROR_INVALID_DATA</c> (0x8007000D): The data is invalid.</summary>
    public const int InvalidData = unchecked((int)0x8007000D);

    /// <summary>ERROR_DISK_FULL: there is not enough space on the disk (KernelHcn's ENOSPC).</summary>
    public const int DiskFull = unchecked((int)0x80070070);

    /// <summary><c>ERROR_FILE_NOT_FOUND</c> (0x80070002): The system cannot find the file specified.</summary>
    public const int FileNotFound = unchecked((int)0x80070002);

    /// <summary><c>ERROR_MOD_NOT_FOUND</c> (0x8007007E): The specified module could not be found.</summary>
    public const int ModuleNotFound = unchecked((int)0x8007007E);

    /// <summary><c>ERROR_PROC_NOT_FOUND</c> (0x8007007F): The specified procedure could not be found.</summary>
    public const int ProcNotFound = unchecked((int)0x8007007F);

    /// <summary><c>ERROR_NOT_SUPPORTED</c> (0x80070032): The request is not supported.</summary>
    public const int NotSupported = unchecked((int)0x80070032);

    /// <summary><c>ERROR_SERVICE_DISABLED</c> (0x80070422): The service cannot be started because it is disabled.</summary>
    public const int ServiceDisabled = unchecked((int)0x80070422);

    /// <summary><c>ERROR_SERVICE_NOT_ACTIVE</c> (0x80070426): The service has not been started.</summary>
    public const int ServiceNotActive = unchecked((int)0x80070426);

    /// <summary><c>RPC_S_SERVER_UNAVAILABLE</c> (0x800706BA): The RPC server is unavailable.</summary>
    public const int RpcServerUnavailable = unchecked((int)0x800706BA);

    /// <summary><c>ERROR_TIMEOUT</c> (0x800705B4): This operation returned because the timeout period expired.</summary>
    public const int Timeout = unchecked((int)0x800705B4);

    /// <summary><c>ERROR_INVALID_STATE</c> (0x8007139F): The group or resource is not in the correct state to perform the requested operation.</summary>
    public const int InvalidState = unchecked((int)0x8007139F);

    /// <summary><c>ERROR_OBJECT_NOT_FOUND</c> (0x800710D8): The object identifier does not represent a valid object.</summary>
    public const int ObjectNotFound = unchecked((int)0x800710D8);
}
