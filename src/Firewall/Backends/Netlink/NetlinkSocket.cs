using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RouterAdmin.Firewall.Backends.Netlink;

/// <summary>One netlink message as the kernel sent it: its type, flags and sequence, and its payload after the header.</summary>
public readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, ReadOnlyMemory<byte> Payload)
{
    public const ushort Error = 2;
    public const ushort Done = 3;

    /// <summary>For an NLMSG_ERROR: the errno it carries, negative, or 0 for an acknowledgement.</summary>
    public int ErrorCode => BinaryPrimitives.ReadInt32LittleEndian(Payload.Span);
}

/// <summary>Netlink's type-length-value attributes, as the kernel lays them out: 4-byte header, value, padding to 4.</summary>
public static class NetlinkAttributes
{
    /// <summary>The attributes from <paramref name="offset"/> on: type (without the nested flag), value start and value length.</summary>
    public static List<(ushort Type, int Start, int Length)> Read(ReadOnlySpan<byte> span, int offset)
    {
        var attributes = new List<(ushort, int, int)>();
        for (var at = offset; at + 4 <= span.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            if (length < 4 || at + length > span.Length) break;
            attributes.Add(((ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(at + 2)..]) & 0x3FFF), at + 4, length - 4));
            at += (length + 3) & ~3;
        }
        return attributes;
    }

    public static byte[] Write(ushort type, byte[] value)
    {
        var attribute = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }
}

/// <summary>
/// A netlink socket (NETLINK_NETFILTER for nftables and conntrack, NETLINK_ROUTE for addresses) kept open in the
/// configured network namespace, and a request/answer exchange over it.
/// Opening one inside a namespace costs a thread and a setns (5–14 ms measured); kept, a question costs a system call.
/// A namespace deleted and made again under the same name is another namespace: the socket is opened again in it.
/// Callers take turns: one exchange at a time.
/// </summary>
public sealed class NetlinkSocket(string? namespaceName, int protocol) : IDisposable
{
    public const int Route = 0;
    public const int Netfilter = 12;
    private const int AddressFamilyNetlink = 16;
    private const int SocketRaw = 3;
    private const int SocketCloseOnExec = 0x8_0000;
    private const int HeaderLength = 16;
    public const ushort Request = 0x1;
    public const ushort Acknowledge = 0x4;
    public const ushort Dump = 0x300;

    private sealed record Kept(Socket Socket, ulong Namespace);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private Kept? _kept;
    private uint _sequence;

    /// <summary>
    /// Sends one request (<paramref name="type"/>, <paramref name="flags"/>, the payload after the netlink header) and
    /// returns the kernel's answers to it: up to NLMSG_DONE for a dump, up to NLMSG_ERROR for an acknowledged request,
    /// the first answer otherwise. Also says which namespace answered (its inode).
    /// </summary>
    public async Task<(ulong Namespace, IReadOnlyList<NetlinkMessage> Answers)> AskAsync(ushort type, ushort flags, byte[] payload)
    {
        await _turn.WaitAsync();
        try
        {
            var kept = _kept;
            if (kept is null || (!string.IsNullOrEmpty(namespaceName) && NetworkNamespace.OfName(namespaceName) != kept.Namespace))
            {
                kept?.Socket.Dispose();
                _kept = null;
                kept = _kept = string.IsNullOrEmpty(namespaceName) ? Open() : await NetworkNamespace.OnThreadInsideAsync(namespaceName, Open);
            }
            try
            {
                return (kept.Namespace, Exchange(kept.Socket, type, flags, payload));
            }
            catch
            {
                // A socket that timed out or failed half way may hold answers meant for nobody: start afresh next time.
                kept.Socket.Dispose();
                _kept = null;
                throw;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private List<NetlinkMessage> Exchange(Socket socket, ushort type, ushort flags, byte[] payload)
    {
        var sequence = ++_sequence;
        var request = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), (ushort)(flags | Request));
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), sequence);
        payload.CopyTo(request, HeaderLength);
        socket.Send(request);

        var answers = new List<NetlinkMessage>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = socket.Receive(buffer);
            for (var at = 0; at + HeaderLength <= length;)
            {
                var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
                if (size < HeaderLength || at + size > length) throw new InvalidDataException($"A netlink message of {size} bytes in a datagram of {length}.");
                var message = new NetlinkMessage(BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 4)), BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 6)),
                    BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at + 8)), buffer.AsSpan(at + HeaderLength, size - HeaderLength).ToArray());
                at += (size + 3) & ~3;
                // An answer to an earlier question is not this one's.
                if (message.Sequence != sequence) continue;
                if (message.Type == NetlinkMessage.Done) return answers;
                answers.Add(message);
                if (message.Type == NetlinkMessage.Error || (flags & (Dump | Acknowledge)) == 0) return answers;
            }
        }
    }

    private Kept Open()
    {
        var fd = CreateSocket(AddressFamilyNetlink, SocketRaw | SocketCloseOnExec, protocol);
        if (fd < 0) throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"socket(AF_NETLINK, {protocol})");
        // The kernel answers inside the send, or streams a dump at once; a socket that says nothing must not hang an apply.
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 5_000, ReceiveBufferSize = 1 << 20 };
        return new Kept(socket, NetworkNamespace.OfThisThread());
    }

    public void Dispose()
    {
        _kept?.Socket.Dispose();
        _kept = null;
        _turn.Dispose();
    }

    // DllImport rather than LibraryImport: plain integers need no marshalling, and the console compiles no unsafe code.
    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int CreateSocket(int domain, int type, int protocol);
}
