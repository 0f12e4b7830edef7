using System.Text;
using Cni.Node.Ipam;

namespace Cni.Node.Tests.Ipam;

public sealed class Crc32CTests
{
    [TestCase("", 0x00000000u)]
    [TestCase("123456789", 0xE3069283u)]
    [TestCase("a", 0xC1D04330u)]
    public void Compute_KnownVectors_MatchesCastagnoli(string text, uint expected)
    {
        Assert.That(Crc32C.Compute(Encoding.ASCII.GetBytes(text)), Is.EqualTo(expected));
    }

    [Test]
    public void Compute_ThirtyTwoZeroBytes_MatchesRfc3720Vector()
    {
        Assert.That(Crc32C.Compute(new byte[32]), Is.EqualTo(0x8A9136AAu));
    }

    [Test]
    public void Append_InPieces_EqualsOneShot()
    {
        var data = Encoding.ASCII.GetBytes("the quick brown fox");

        var pieces = Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, data.AsSpan(0, 7)), data.AsSpan(7)));

        Assert.That(pieces, Is.EqualTo(Crc32C.Compute(data)));
    }
}
