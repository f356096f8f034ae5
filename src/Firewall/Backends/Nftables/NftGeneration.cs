using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// The nftables ruleset's generation: a number the kernel raises on every committed transaction in the network
/// namespace (any table, nft's or iptables-nft's; counters and addresses do not count), asked with one netlink message
/// (NFT_MSG_GETGEN) in a fraction of a millisecond, where nft 1.0 lists all 10,000 elements (~200 ms) for any listing
/// that touches the table. Two equal readings mean nothing was committed in between, so a read taken at the first is
/// still the kernel's state at the second. Null when the kernel cannot be asked: then every read is a full one.
/// </summary>
public sealed class NftGeneration(IOptions<FirewallOptions> options, ILogger<NftGeneration> logger) : IDisposable
{
    /// <summary>
    /// One reading: the generation, and which network namespace it counts in (its inode): a namespace deleted and made
    /// again under the same name starts counting afresh, and must not pass for the old one.
    /// </summary>
    public readonly record struct Reading(ulong Namespace, uint Generation)
    {
        /// <summary>This reading is one commit after <paramref name="earlier"/>, in the same namespace.</summary>
        public bool Follows(Reading earlier) => Namespace == earlier.Namespace && Generation == unchecked(earlier.Generation + 1);
    }

    private const int AddressFamilyNetlink = 16;
    private const int NetlinkNetfilter = 12;
    private const int SocketRaw = 3;
    private const int SocketCloseOnExec = 0x8_0000;
    private const ushort GetGen = (10 << 8) | 16;   // NFNL_SUBSYS_NFTABLES, NFT_MSG_GETGEN
    private const ushort NewGen = (10 << 8) | 15;   // NFT_MSG_NEWGEN, the answer
    private const ushort NetlinkError = 2;
    private const ushort GenIdAttribute = 1;        // NFTA_GEN_ID, a big-endian u32

    /// <summary>One socket kept for the console's life (opening one inside a namespace costs a thread and a setns, 5–14 ms).</summary>
    private sealed record Kept(Socket Socket, ulong Namespace);

    private readonly Lock _lock = new();
    private Kept? _kept;
    private uint _sequence;

    public async Task<Reading?> ReadAsync()
    {
        try
        {
            var ns = options.Value.Namespace;
            var kept = _kept;
            // A namespace deleted and made again under the same name is a new one: the kept socket still counts the old.
            if (kept is null || (!string.IsNullOrEmpty(ns) && NetworkNamespace.OfName(ns) != kept.Namespace))
                kept = await OpenAsync(ns);
            return Ask(kept);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or InvalidDataException or System.ComponentModel.Win32Exception)
        {
            logger.LogDebug("The nftables generation could not be read ({Error}); reading the table in full", e.Message);
            Close();
            return null;
        }
    }

    private async Task<Kept> OpenAsync(string? ns)
    {
        var opened = string.IsNullOrEmpty(ns) ? Open() : await NetworkNamespace.OnThreadInsideAsync(ns, Open);
        lock (_lock)
        {
            _kept?.Socket.Dispose();
            return _kept = opened;
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        lock (_lock)
        {
            _kept?.Socket.Dispose();
            _kept = null;
        }
    }

    private static Kept Open()
    {
        var fd = CreateSocket(AddressFamilyNetlink, SocketRaw | SocketCloseOnExec, NetlinkNetfilter);
        if (fd < 0) throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "socket(AF_NETLINK, NETLINK_NETFILTER)");
        // The kernel answers inside the send; a socket that has nothing to say must not hang an apply.
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 2_000 };
        return new Kept(socket, NetworkNamespace.OfThisThread());
    }

    private Reading? Ask(Kept kept)
    {
        lock (_lock)
        {
            var sequence = ++_sequence;
            // nlmsghdr (length, type, flags = NLM_F_REQUEST, sequence, port) + nfgenmsg (AF_UNSPEC, version 0, resource 0).
            var request = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), GetGen);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), sequence);
            kept.Socket.Send(request);
            var answer = new byte[512];
            while (true)
            {
                var length = kept.Socket.Receive(answer);
                // An answer to an earlier question that timed out is not this one's.
                if (length >= 16 && BinaryPrimitives.ReadUInt32LittleEndian(answer.AsSpan(8)) != sequence) continue;
                return Parse(answer.AsSpan(0, length)) is { } generation ? new Reading(kept.Namespace, generation) : null;
            }
        }
    }

    /// <summary>The generation in an NFT_MSG_NEWGEN answer; an error answer (no CAP_NET_ADMIN) or anything else is no answer.</summary>
    public static uint? Parse(ReadOnlySpan<byte> answer)
    {
        if (answer.Length < 20) throw new InvalidDataException("A netlink answer shorter than its headers.");
        var type = BinaryPrimitives.ReadUInt16LittleEndian(answer[4..]);
        if (type == NetlinkError) return null;
        if (type != NewGen) throw new InvalidDataException($"Netlink answered NFT_MSG_GETGEN with message type {type}.");
        var end = Math.Min(answer.Length, (int)BinaryPrimitives.ReadUInt32LittleEndian(answer));
        for (var at = 20; at + 4 <= end;)
        {
            var attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(answer[at..]);
            var attributeType = BinaryPrimitives.ReadUInt16LittleEndian(answer[(at + 2)..]) & 0x3FFF;
            if (attributeLength < 4) break;
            if (attributeType == GenIdAttribute && attributeLength >= 8) return BinaryPrimitives.ReadUInt32BigEndian(answer[(at + 4)..]);
            at += (attributeLength + 3) & ~3;
        }
        throw new InvalidDataException("Netlink's NFT_MSG_NEWGEN carried no generation.");
    }

    // DllImport rather than LibraryImport: plain integers need no marshalling, and the console compiles no unsafe code.
    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int CreateSocket(int domain, int type, int protocol);
}
