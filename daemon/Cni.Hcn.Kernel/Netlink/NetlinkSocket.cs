using System.Runtime.InteropServices;
using Cni.Hcn.Kernel.Interop;

namespace Cni.Hcn.Kernel.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket (or another netlink protocol's, <see cref="Open(int)"/>). It talks to the network namespace of the thread that created it for its whole life, which
/// is how KernelHcn configures a pod's namespace without moving any thread pool thread there
/// (<see cref="Namespaces.NetnsThread"/> creates it on a dedicated thread). One request at a time (a lock), each
/// acknowledged: an NLMSG_ERROR with errno ≠ 0 becomes <see cref="NetlinkException"/>.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int ReceiveBufferSize = 1 << 20;
    private readonly Lock _gate = new();
    private readonly byte[] _receive = new byte[64 * 1024];
    private int _fd;
    private uint _sequence;

    private NetlinkSocket(int fd)
    {
        _fd = fd;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a NETLINK_ROUTE socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open() => Open(Libc.NetlinkRoute);

    /// <summary>Opens a socket of netlink <paramref name="protocol"/> in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(int protocol)
    {
        var fd = Libc.Socket(Libc.AfNetlink, Libc.SockRaw | Libc.SockCloexec, protocol);
        if (fd < 0)
        {
            throw new NetlinkException($"socket(AF_NETLINK, {protocol})", Marshal.GetLastPInvokeError());
        }

        try
        {
            var address = new Libc.SockaddrNl { Family = Libc.AfNetlink };
            if (Libc.Bind(fd, address, Marshal.SizeOf<Libc.SockaddrNl>()) != 0)
            {
                throw new NetlinkException("bind(AF_NETLINK)", Marshal.GetLastPInvokeError());
            }

            // Extended ACKs carry the kernel's reason ("Unknown device type"); strict checking filters dumps in the kernel.
            // Both are best effort: old kernels refuse them, and nothing depends on them.
            var one = 1;
            _ = Libc.SetSockOpt(fd, Libc.SolNetlink, Libc.NetlinkExtAck, one, sizeof(int));
            var size = ReceiveBufferSize;
            _ = Libc.SetSockOpt(fd, Libc.SolSocket, Libc.SoRcvbuf, size, sizeof(int));

            // A kernel that never answers must not hang the daemon forever.
            var timeout = new Libc.Timeval { Seconds = 10 };
            _ = Libc.SetSockOpt(fd, Libc.SolSocket, Libc.SoRcvtimeo, timeout, Marshal.SizeOf<Libc.Timeval>());
            return new NetlinkSocket(fd);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>Sends a request with NLM_F_ACK and waits for its acknowledgement.</summary>
    /// <param name="message">The request.</param>
    /// <param name="operation">How to name it in an error.</param>
    public void Request(NetlinkMessageBuilder message, string operation)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            Send(message.Build(sequence), operation);
            while (true)
            {
                foreach (var reply in ReceiveBatch(operation))
                {
                    if (reply.Sequence != sequence)
                    {
                        continue;
                    }

                    if (reply.Type == Rtnl.NlmsgError)
                    {
                        var (errno, text) = reply.ReadError();
                        if (errno != 0)
                        {
                            throw new NetlinkException(operation, errno, text);
                        }

                        return;
                    }
                }
            }
        }
    }

    /// <summary>Sends a dump request and collects every reply until NLMSG_DONE.</summary>
    /// <param name="message">The request, with NLM_F_DUMP set by the caller.</param>
    /// <param name="operation">How to name it in an error.</param>
    /// <returns>The replies (NLMSG_DONE excluded).</returns>
    public List<NetlinkMessage> Dump(NetlinkMessageBuilder message, string operation)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            Send(message.Build(sequence), operation);
            var result = new List<NetlinkMessage>();
            while (true)
            {
                foreach (var reply in ReceiveBatch(operation))
                {
                    if (reply.Sequence != sequence)
                    {
                        continue;
                    }

                    if (reply.Type == Rtnl.NlmsgDone)
                    {
                        return result;
                    }

                    if (reply.Type == Rtnl.NlmsgError)
                    {
                        var (errno, text) = reply.ReadError();
                        if (errno != 0)
                        {
                            throw new NetlinkException(operation, errno, text);
                        }

                        return result;
                    }

                    result.Add(reply);
                }
            }
        }
    }

    /// <summary>Sends a request that answers with one message (a GET without DUMP), e.g. RTM_GETLINK by name.</summary>
    /// <param name="message">The request.</param>
    /// <param name="operation">How to name it in an error.</param>
    /// <returns>The reply.</returns>
    public NetlinkMessage Get(NetlinkMessageBuilder message, string operation)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            Send(message.Build(sequence), operation);
            while (true)
            {
                foreach (var reply in ReceiveBatch(operation))
                {
                    if (reply.Sequence != sequence)
                    {
                        continue;
                    }

                    if (reply.Type == Rtnl.NlmsgError)
                    {
                        var (errno, text) = reply.ReadError();
                        throw new NetlinkException(operation, errno == 0 ? Errno.Enoent : errno, text);
                    }

                    return reply;
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// Sends several messages in one datagram (an nfnetlink batch) and waits until every message in
    /// <paramref name="acknowledged"/> is acknowledged; the first error fails the call, naming that message.
    /// </summary>
    /// <param name="build">Writes the datagram, given the first sequence number to use; returns the messages that ask
    /// for an acknowledgement and the last sequence number it used.</param>
    /// <param name="operation">What the batch does, for errors.</param>
    /// <exception cref="NetlinkException">The kernel refused a message (errno, extended ACK text) or did not answer.</exception>
    public void Transact(Func<uint, (ReadOnlyMemory<byte> Datagram, IReadOnlyList<(uint Sequence, string Description)> Acknowledged, uint Last)> build, string operation)
    {
        ArgumentNullException.ThrowIfNull(build);
        lock (_gate)
        {
            var (datagram, acknowledged, last) = build(_sequence + 1);
            _sequence = last;
            Send(datagram.Span, operation);
            var pending = acknowledged.ToDictionary(a => a.Sequence, a => a.Description);
            while (pending.Count > 0)
            {
                foreach (var reply in ReceiveBatch(operation))
                {
                    if (reply.Type != Rtnl.NlmsgError || !pending.Remove(reply.Sequence, out var description))
                    {
                        continue; // a reply to an earlier, failed batch, or not an acknowledgement
                    }

                    var (errno, text) = reply.ReadError();
                    if (errno != 0)
                    {
                        throw new NetlinkException($"{operation}: {description}", errno, text);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Lets one datagram be as large as <paramref name="bytes"/> (netlink refuses a datagram past the send buffer),
    /// and keeps acknowledgements short (no copy of the request: a batch message can be 64 KiB).
    /// </summary>
    public void PrepareForBatches(int bytes)
    {
        var size = bytes;
        if (Libc.SetSockOpt(_fd, Libc.SolSocket, Libc.SoSndbufforce, size, sizeof(int)) != 0)
        {
            _ = Libc.SetSockOpt(_fd, Libc.SolSocket, Libc.SoSndbuf, size, sizeof(int));
        }

        var one = 1;
        _ = Libc.SetSockOpt(_fd, Libc.SolNetlink, Libc.NetlinkCapAck, one, sizeof(int));
    }

    private unsafe void Send(byte[] bytes, string operation) => Send(bytes.AsSpan(), operation);

    private unsafe void Send(ReadOnlySpan<byte> bytes, string operation)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        while (true)
        {
            fixed (byte* p = bytes)
            {
                var sent = Libc.Send(_fd, p, (nuint)bytes.Length, 0);
                if (sent >= 0)
                {
                    return;
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.Eintr)
            {
                throw new NetlinkException($"send {operation}", errno);
            }
        }
    }

    private unsafe List<NetlinkMessage> ReceiveBatch(string operation)
    {
        while (true)
        {
            nint received;
            fixed (byte* p = _receive)
            {
                received = Libc.Recv(_fd, p, (nuint)_receive.Length, 0);
            }

            if (received >= 0)
            {
                // Copy out: the buffer is reused by the next receive.
                return NetlinkMessage.Split(_receive.AsSpan(0, (int)received).ToArray());
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.Eintr)
            {
                throw new NetlinkException($"recv {operation}", errno, errno == Errno.Eagain ? "no answer from the kernel within 10 s" : null);
            }
        }
    }
}
