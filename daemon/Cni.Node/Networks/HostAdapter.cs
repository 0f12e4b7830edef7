using System.Net;
using System.Net.NetworkInformation;

namespace Cni.Node.Networks;

/// <summary>A host network adapter as the node lists it: name, MAC and unicast addresses.</summary>
public sealed record HostAdapter(string Name, PhysicalAddress? MacAddress, IReadOnlyList<IPAddress> Addresses);
