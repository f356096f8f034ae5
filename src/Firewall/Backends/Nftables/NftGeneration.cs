using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Backends.Netlink;

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

    private const ushort GetGen = (10 << 8) | 16;   // NFNL_SUBSYS_NFTABLES, NFT_MSG_GETGEN
    private const ushort NewGen = (10 << 8) | 15;   // NFT_MSG_NEWGEN, the answer
    private const ushort NetlinkError = 2;
    private const ushort GenIdAttribute = 1;        // NFTA_GEN_ID, a big-endian u32

    private readonly NetlinkSocket _socket = new(options.Value.Namespace, NetlinkSocket.Netfilter);

    public async Task<Reading?> ReadAsync()
    {
        try
        {
            // The payload is an nfgenmsg: AF_UNSPEC, version 0, resource 0.
            var (ns, answers) = await _socket.AskAsync(GetGen, 0, new byte[4]);
            return answers.Count == 1 && Parse(answers[0]) is { } generation ? new Reading(ns, generation) : null;
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or InvalidDataException or System.ComponentModel.Win32Exception)
        {
            logger.LogDebug("The nftables generation could not be read ({Error}); reading the table in full", e.Message);
            return null;
        }
    }

    public void Dispose() => _socket.Dispose();

    private static uint? Parse(NetlinkMessage answer)
    {
        var whole = new byte[16 + answer.Payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(whole, (uint)whole.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(whole.AsSpan(4), answer.Type);
        answer.Payload.Span.CopyTo(whole.AsSpan(16));
        return Parse(whole);
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
}
