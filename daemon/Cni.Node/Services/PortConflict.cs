namespace Cni.Node.Services;

/// <summary>
/// The endpoints of one ServicePort disagree on the backend port number (a named targetPort that resolves
/// differently per pod). HCN has one InternalPort per load balancer, so one number is chosen and the endpoints
/// using another are left out.
/// </summary>
/// <param name="ChosenPort">The number kept: the one most ready endpoints use, then most endpoints, then the lowest.</param>
/// <param name="OtherPorts">The numbers left out, ascending.</param>
/// <param name="DroppedEndpoints">How many endpoints were left out.</param>
public sealed record PortConflict(int ChosenPort, IReadOnlyList<int> OtherPorts, int DroppedEndpoints);
