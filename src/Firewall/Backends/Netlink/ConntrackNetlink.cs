using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Netlink;

/// <summary>
/// The conntrack entries of the flows a change moved, found and deleted through ctnetlink from the console, as
/// <c>conntrack -D -s … -d …</c> would: a dump of the namespace's IPv4 entries (filtered in the kernel by the two
/// addresses when the change moved one host's flow to one host), then one delete per entry, by its original tuple.
/// The dump walks the kernel's whole conntrack hash (~10 ms for 262,144 buckets), so it runs as a read beside the
/// verify; the deletes are single lookups and run once the rules are verified.
/// </summary>
public sealed class ConntrackNetlink(IOptions<FirewallOptions> options) : IDisposable
{
    private readonly NetlinkSocket socket = new(options.Value.Namespace, NetlinkSocket.Netfilter);

    private const ushort NewEntry = (1 << 8) | 0;   // NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW: one dumped entry
    private const ushort GetEntries = (1 << 8) | 1; // IPCTNL_MSG_CT_GET
    private const ushort DeleteEntry = (1 << 8) | 2; // IPCTNL_MSG_CT_DELETE
    private const byte AddressFamilyInet = 2;
    private const ushort Nested = 0x8000;
    private const ushort TupleOriginal = 1, TupleIp = 1, Ipv4Source = 1, Ipv4Destination = 2, Zone = 18, Filter = 25;
    private const ushort FilterOriginalFlags = 1, FilterReplyFlags = 2;
    private const uint FilterSource = 1 << 0, FilterDestination = 1 << 1;
    private const int NoSuchEntry = -2;              // -ENOENT: gone already (expired, or deleted by someone else)

    /// <summary>One entry to delete: its original-direction tuple and its zone, as the kernel sent them.</summary>
    public sealed record Entry(IPAddress Source, IPAddress Destination, byte[] Tuple, byte[]? Zone);

    public async Task<IReadOnlyList<Entry>> FindAsync(IReadOnlyList<FlowKey> flows)
    {
        if (flows.Count == 0) return [];
        var oneHostPair = flows.Count == 1 && flows[0].Source.PrefixLength == 32 && flows[0].Destination.PrefixLength == 32;
        var (_, answers) = await socket.AskAsync(GetEntries, NetlinkSocket.Dump, oneHostPair ? FilteredDump(flows[0]) : Family());
        var found = new List<Entry>();
        foreach (var answer in answers)
        {
            if (answer.Type == NetlinkMessage.Error)
                throw new FirewallCommandException("conntrack dump (netlink)", -answer.ErrorCode, $"the kernel answered errno {-answer.ErrorCode}");
            if (answer.Type != NewEntry || Parse(answer.Payload) is not { } entry) continue;
            // The kernel's filter is a shortcut; the match decides (masks, and several flows in one dump).
            if (flows.Any(f => f.Matches(entry.Source, entry.Destination))) found.Add(entry);
        }
        return found;
    }

    /// <summary>Deletes the entries; returns how many went (one that is already gone does not count, and is no failure).</summary>
    public async Task<int> DeleteAsync(IReadOnlyList<Entry> entries)
    {
        var deleted = 0;
        foreach (var entry in entries)
        {
            var payload = Family().Concat(entry.Tuple).Concat(entry.Zone ?? []).ToArray();
            var (_, answers) = await socket.AskAsync(DeleteEntry, NetlinkSocket.Acknowledge, payload);
            var code = answers.Count == 1 && answers[0].Type == NetlinkMessage.Error ? answers[0].ErrorCode : int.MinValue;
            if (code == 0) deleted++;
            else if (code != NoSuchEntry)
                throw new FirewallCommandException($"conntrack delete {entry.Source} → {entry.Destination} (netlink)", code == int.MinValue ? -1 : -code,
                    code == int.MinValue ? "the kernel did not acknowledge the delete" : $"the kernel answered errno {-code}");
        }
        return deleted;
    }

    public void Dispose() => socket.Dispose();

    /// <summary>nfgenmsg: AF_INET, version 0, resource 0.</summary>
    private static byte[] Family() => [AddressFamilyInet, 0, 0, 0];

    private static byte[] FilteredDump(FlowKey flow)
    {
        var ip = NetlinkAttributes.Write(TupleIp | Nested, [.. NetlinkAttributes.Write(Ipv4Source, Address(flow.Source.BaseAddress)), .. NetlinkAttributes.Write(Ipv4Destination, Address(flow.Destination.BaseAddress))]);
        var flags = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, FilterSource | FilterDestination);
        var filter = NetlinkAttributes.Write(Filter | Nested, [.. NetlinkAttributes.Write(FilterOriginalFlags, flags), .. NetlinkAttributes.Write(FilterReplyFlags, new byte[4])]);
        return [.. Family(), .. NetlinkAttributes.Write(TupleOriginal | Nested, ip), .. filter];
    }

    private static byte[] Address(IPAddress address) => address.GetAddressBytes();

    /// <summary>A dumped entry's original tuple (kept whole, to name the entry in its delete), addresses and zone.</summary>
    public static Entry? Parse(ReadOnlyMemory<byte> payload)
    {
        byte[]? tuple = null, zone = null;
        IPAddress? source = null, destination = null;
        foreach (var (type, start, length) in NetlinkAttributes.Read(payload.Span, 4))
        {
            if (type == TupleOriginal)
            {
                tuple = Whole(payload.Span, start, length);
                foreach (var (inner, innerStart, innerLength) in NetlinkAttributes.Read(payload.Span.Slice(start, length), 0))
                    if (inner == TupleIp)
                        foreach (var (address, at, size) in NetlinkAttributes.Read(payload.Span.Slice(start + innerStart, innerLength), 0))
                        {
                            if (size != 4) continue;
                            var value = new IPAddress(payload.Span.Slice(start + innerStart + at, 4));
                            if (address == Ipv4Source) source = value;
                            else if (address == Ipv4Destination) destination = value;
                        }
            }
            else if (type == Zone)
                zone = Whole(payload.Span, start, length);
        }
        return tuple is not null && source is not null && destination is not null ? new Entry(source, destination, tuple, zone) : null;
    }

    /// <summary>An attribute with its header, padded to four bytes as netlink lays attributes out.</summary>
    private static byte[] Whole(ReadOnlySpan<byte> span, int start, int length)
    {
        var whole = new byte[(length + 4 + 3) & ~3];
        span.Slice(start - 4, length + 4).CopyTo(whole);
        return whole;
    }
}
