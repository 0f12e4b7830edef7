using System.Text;
using Cni.Plugin.Transport;

namespace Cni.Plugin.Tests.Transport;

[TestFixture]
public sealed class Http1ResponseReaderTests
{
    /// <summary>Feeds <paramref name="wire"/> to the reader in pieces of <paramref name="piece"/> bytes, like a socket might.</summary>
    private static DaemonResponse Read(string wire, int piece = int.MaxValue, int maxBody = 1 << 20)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var position = 0;
        var reader = new Http1ResponseReader(
            (buffer, offset, count) =>
            {
                var n = Math.Min(Math.Min(count, piece), bytes.Length - position);
                Buffer.BlockCopy(bytes, position, buffer, offset, n);
                position += n;
                return n;
            },
            maxBody);
        return reader.ReadResponse();
    }

    [TestCase(int.MaxValue)]
    [TestCase(1)]
    [TestCase(7)]
    public void ReadResponse_ContentLength_ReturnsStatusAndBody(int piece)
    {
        var response = Read("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":12345}", piece);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(Encoding.UTF8.GetString(response.Body), Is.EqualTo("{\"a\":12345}"));
    }

    [TestCase(int.MaxValue)]
    [TestCase(1)]
    public void ReadResponse_Chunked_ReassemblesBody(int piece)
    {
        var response = Read("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"co\r\n6;ext=1\r\nde\":11\r\n1\r\n}\r\n0\r\nTrailer: x\r\n\r\n", piece);

        Assert.That(response.StatusCode, Is.EqualTo(503));
        Assert.That(Encoding.UTF8.GetString(response.Body), Is.EqualTo("{\"code\":11}"));
    }

    [Test]
    public void ReadResponse_NoLengthConnectionClose_ReadsToEnd()
    {
        var response = Read("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello");

        Assert.That(Encoding.UTF8.GetString(response.Body), Is.EqualTo("hello"));
    }

    [Test]
    public void ReadResponse_NoContent_EmptyBody()
    {
        var response = Read("HTTP/1.1 204 No Content\r\n\r\n");

        Assert.That(response.StatusCode, Is.EqualTo(204));
        Assert.That(response.Body, Is.Empty);
    }

    [TestCase("garbage\r\n\r\n", TestName = "ReadResponse_NotHttp_Throws")]
    [TestCase("HTTP/1.1 abc OK\r\n\r\n", TestName = "ReadResponse_NonNumericStatus_Throws")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", TestName = "ReadResponse_BadContentLength_Throws")]
    [TestCase("HTTP/1.1 200 OK\r\nno-colon\r\n\r\n", TestName = "ReadResponse_HeaderWithoutColon_Throws")]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", TestName = "ReadResponse_BadChunkSize_Throws")]
    public void ReadResponse_Malformed_ThrowsInvalidData(string wire)
    {
        Assert.That(() => Read(wire), Throws.InstanceOf<InvalidDataException>());
    }

    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", TestName = "ReadResponse_TruncatedBody_ThrowsEndOfStream")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Le", TestName = "ReadResponse_TruncatedHeaders_ThrowsEndOfStream")]
    public void ReadResponse_Truncated_ThrowsEndOfStream(string wire)
    {
        Assert.That(() => Read(wire), Throws.InstanceOf<EndOfStreamException>());
    }

    [Test]
    public void ReadResponse_BodyOverLimit_Throws()
    {
        Assert.That(() => Read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + new string('x', 100), maxBody: 10), Throws.InstanceOf<InvalidDataException>());
        Assert.That(() => Read("HTTP/1.1 200 OK\r\n\r\n" + new string('x', 100), maxBody: 10), Throws.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void ReadResponse_EndlessHeaders_ThrowsInsteadOfBuffering()
    {
        var wire = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 2000));

        Assert.That(() => Read(wire), Throws.InstanceOf<InvalidDataException>());
    }
}
