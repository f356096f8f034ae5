using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>Sends ESP (IP protocol 50) from a raw socket inside a client namespace; the kernel writes the IP header.</summary>
public sealed class EspSender : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Dictionary<uint, uint> _sequences = [];
    private readonly Lock _gate = new();

    private EspSender(string ns, Socket socket)
    {
        Namespace = ns;
        _socket = socket;
    }

    public string Namespace { get; }

    public static async Task<EspSender> OpenAsync(string ns, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var socket = await Netns.OpenRawSocketAsync(ns, EspWire.EspProtocolNumber);
        return new EspSender(ns, socket);
    }

    /// <summary>Sends one packet for <paramref name="spi"/> with the next sequence number (1, 2, … per SPI) and returns it.</summary>
    public async Task<uint> SendOneAsync(IPAddress destination, uint spi, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        uint sequence;
        lock (_gate)
            _sequences[spi] = sequence = _sequences.GetValueOrDefault(spi) + 1;
        // Not cancellable once numbered: a flow stopped between the two would otherwise count a packet it never
        // handed to the kernel, and a spec waiting for every packet counted would wait for it in vain (seen under load).
        // One datagram on a raw socket does not block.
        await _socket.SendToAsync(EspWire.Build(spi, sequence), SocketFlags.None, new IPEndPoint(destination, 0), CancellationToken.None);
        return sequence;
    }

    public async Task SendAsync(IPAddress destination, uint spi, int count, TimeSpan interval, CancellationToken ct = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                await Task.Delay(interval, ct);
            await SendOneAsync(destination, spi, ct);
        }
    }

    /// <summary>The last sequence number sent for <paramref name="spi"/> (0 before the first).</summary>
    public uint LastSequence(uint spi)
    {
        lock (_gate)
            return _sequences.GetValueOrDefault(spi);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
