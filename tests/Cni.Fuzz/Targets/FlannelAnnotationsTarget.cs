using System.Text;
using Cni.Node.Kubernetes.Flannel;
using k8s.Models;

namespace Cni.Fuzz.Targets;

/// <summary>
/// The flannel Node-annotation parser (<see cref="FlannelAnnotations"/>): what a peer Node published, as wincnid reads
/// it from the API server. Parsing never throws on bad input; a finding is any exception, or a failure that names no
/// field.
/// </summary>
/// <remarks>
/// Input, one field a line: name, backend-type, backend-data, public-ip, public-ip-overwrite, node-public-ip,
/// spec.podCIDR, spec.podCIDRs (comma-separated), InternalIP addresses (comma-separated). A missing line is an absent
/// field; the annotation values are taken verbatim, as the API server would hand them over.
/// </remarks>
internal sealed class FlannelAnnotationsTarget : IFuzzTarget
{
    private static readonly FlannelAnnotations Annotations = new();

    public string Name => "flannel-annotations";

    public string Description => "peer Node annotations and pod CIDRs (Cni.Node FlannelAnnotations.ParsePeer, SelectNodeIp, TryGetOverwrite)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n');
        string? Line(int index) => index < lines.Length ? lines[index] : null;

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        void Annotate(string key, string? value)
        {
            if (value is not null)
            {
                annotations[key] = value;
            }
        }

        Annotate(Annotations.BackendType, Line(1));
        Annotate(Annotations.BackendData, Line(2));
        Annotate(Annotations.PublicIp, Line(3));
        Annotate(Annotations.PublicIpOverwrite, Line(4));
        Annotate(Annotations.NodePublicIp, Line(5));
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = Line(0), Annotations = annotations },
            Spec = new V1NodeSpec
            {
                PodCIDR = Line(6),
                PodCIDRs = Line(7)?.Split(','),
            },
            Status = new V1NodeStatus
            {
                Addresses = Line(8)?.Split(',').Select(a => new V1NodeAddress { Type = "InternalIP", Address = a }).ToList(),
            },
        };

        var peer = Annotations.ParsePeer(node);
        if (peer.Peer is null && (string.IsNullOrEmpty(peer.Field) || string.IsNullOrEmpty(peer.Error)))
        {
            throw new FuzzFindingException("a peer refused without naming the field and the error");
        }

        Annotations.SelectNodeIp(node, configured: null, out _);
        Annotations.TryGetOverwrite(node);
        Annotations.TryGetPublicIp(node);
    }
}
