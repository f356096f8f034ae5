using System.Buffers.Binary;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Netlink;

/// <summary>
/// The router's IPv4 addresses as <c>ip -j -4 addr show</c> lists them (interface, address, prefix, label), read over
/// rtnetlink from the console: every read of the router (a preview, an apply, its verify) needs them, and a process
/// for it cost 4–7 ms each time. Two dumps: the interfaces' names, then the addresses.
/// </summary>
public sealed class AddressNetlink(IOptions<FirewallOptions> options) : IDisposable
{
    private const ushort NewLink = 16, GetLink = 18, NewAddress = 20, GetAddress = 22;
    private const ushort InterfaceName = 3;                        // IFLA_IFNAME
    private const ushort Address = 1, Local = 2, Label = 3;        // IFA_ADDRESS, IFA_LOCAL, IFA_LABEL
    private const byte AddressFamilyInet = 2;
    private const int LinkHeader = 16, AddressHeader = 8;          // struct ifinfomsg, struct ifaddrmsg

    private readonly NetlinkSocket socket = new(options.Value.Namespace, NetlinkSocket.Route);

    public async Task<IReadOnlyList<LiveAddress>> ReadAsync()
    {
        var names = new Dictionary<int, string>();
        foreach (var link in await DumpAsync(GetLink, new byte[LinkHeader]))
            if (link.Type == NewLink && link.Payload.Length >= LinkHeader)
            {
                var index = BinaryPrimitives.ReadInt32LittleEndian(link.Payload.Span[4..]);
                if (Text(link.Payload.Span, LinkHeader, InterfaceName) is { } name) names[index] = name;
            }

        var request = new byte[AddressHeader];
        request[0] = AddressFamilyInet;
        var found = new List<LiveAddress>();
        foreach (var message in await DumpAsync(GetAddress, request))
        {
            var span = message.Payload.Span;
            if (message.Type != NewAddress || span.Length < AddressHeader || span[0] != AddressFamilyInet) continue;
            var index = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
            // ip shows IFA_LOCAL as the address (on a point-to-point link IFA_ADDRESS is the peer's).
            var address = Value(span, Local) ?? Value(span, Address);
            if (address is null || !names.TryGetValue(index, out var ifname)) continue;
            found.Add(new LiveAddress(new BoundAddress(new IPAddress(address), span[1], ifname), Text(span, AddressHeader, Label)));
        }
        return found;
    }

    private async Task<IReadOnlyList<NetlinkMessage>> DumpAsync(ushort type, byte[] request)
    {
        var (_, answers) = await socket.AskAsync(type, NetlinkSocket.Dump, request);
        if (answers.FirstOrDefault(a => a.Type == NetlinkMessage.Error) is { Payload.Length: >= 4 } error && error.ErrorCode != 0)
            throw new FirewallCommandException("ip -j -4 addr show (rtnetlink)", -error.ErrorCode, $"the kernel answered errno {-error.ErrorCode}");
        return answers;
    }

    private static byte[]? Value(ReadOnlySpan<byte> span, ushort wanted)
    {
        foreach (var (type, start, length) in NetlinkAttributes.Read(span, AddressHeader))
            if (type == wanted && length == 4) return span.Slice(start, 4).ToArray();
        return null;
    }

    private static string? Text(ReadOnlySpan<byte> span, int offset, ushort wanted)
    {
        foreach (var (type, start, length) in NetlinkAttributes.Read(span, offset))
            if (type == wanted) return Encoding.UTF8.GetString(span.Slice(start, length)).TrimEnd('\0');
        return null;
    }

    public void Dispose() => socket.Dispose();
}
