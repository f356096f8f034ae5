using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// Records every ESP packet that reaches the VPN namespace. A raw socket gets its copy before the kernel's own
/// ESP handling, so unknown SPIs are still seen.
/// </summary>
public sealed class EspReceiver : PacketRecorder<EspPacket>
{
    private EspReceiver(string ns, Socket socket) : base(ns, socket)
    {
    }

    public static async Task<EspReceiver> StartAsync(string ns, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var socket = await Netns.OpenRawSocketAsync(ns, EspWire.EspProtocolNumber);
        var receiver = new EspReceiver(ns, socket);
        receiver.Start();
        return receiver;
    }

    public IReadOnlyList<EspPacket> PacketsFor(uint spi) => [.. Packets.Where(p => p.Spi == spi)];

    public int CountFor(uint spi) => Packets.Count(p => p.Spi == spi);

    /// <summary>Distinct source addresses seen for <paramref name="spi"/>, in order of first appearance.</summary>
    public IReadOnlyList<IPAddress> SourcesFor(uint spi) => [.. PacketsFor(spi).Select(p => p.Source).Distinct()];

    public Task<bool> WaitForCountAsync(uint spi, int count, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync(packets => packets.Count(p => p.Spi == spi) >= count, timeout, ct);

    protected override async ValueTask<EspPacket?> ReceiveOneAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var length = await Socket.ReceiveAsync(buffer, SocketFlags.None, ct);
        return EspWire.ParseIpv4(buffer.Span[..length], DateTime.UtcNow);
    }
}
