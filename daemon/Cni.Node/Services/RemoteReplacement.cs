using System.Net;

namespace Cni.Node.Services;

/// <summary>What one pass did to replace owned remote endpoints whose provider address was wrong.</summary>
/// <param name="Replaced">Endpoints deleted and created again.</param>
/// <param name="Deleted">Addresses whose endpoint was deleted (so it left every load balancer), created again or not.</param>
/// <param name="Kept">Addresses whose endpoint is still there with its old provider address, and why.</param>
/// <param name="Writes">HCN writes attempted.</param>
/// <param name="Failed">Whether a write failed.</param>
internal sealed record RemoteReplacement(int Replaced, HashSet<IPAddress> Deleted, Dictionary<IPAddress, string> Kept, int Writes, bool Failed);
