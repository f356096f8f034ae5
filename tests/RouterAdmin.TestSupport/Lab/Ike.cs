using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>One UDP/500 datagram as seen by the VPN server: who it came from (address and port, after NAT).</summary>
public sealed record IkeDatagram(IPEndPoint Remote, ulong InitiatorSpi, DateTime At);

/// <summary>Just enough of an IKEv2 header (RFC 7296) to tell the probes apart by initiator SPI.</summary>
internal static class IkeWire
{
    public const int Port = 500;
    public const int HeaderLength = 28;

    public static byte[] BuildSaInit(ulong initiatorSpi)
    {
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt64BigEndian(header, initiatorSpi);
        header[16] = 33;   // next payload: SA
        header[17] = 0x20; // version 2.0
        header[18] = 34;   // exchange: IKE_SA_INIT
        header[19] = 0x08; // flags: initiator
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), HeaderLength);
        return header;
    }

    public static ulong? InitiatorSpi(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(datagram) : null;
}

/// <summary>IKE's UDP leg from a client: bound to port 500 in the client namespace, sending to the VPN server's port 500.</summary>
public sealed class IkeProbe : IAsyncDisposable
{
    private readonly Socket _socket;

    private IkeProbe(string ns, Socket socket, IPEndPoint server)
    {
        Namespace = ns;
        _socket = socket;
        Server = server;
    }

    public string Namespace { get; }
    public IPEndPoint Server { get; }

    public static async Task<IkeProbe> OpenAsync(string ns, IPAddress server, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var socket = await Netns.OpenSocketAsync(ns, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, IkeWire.Port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new IkeProbe(ns, socket, new IPEndPoint(server, IkeWire.Port));
    }

    public async Task SendAsync(ulong initiatorSpi, int count = 1, TimeSpan interval = default, CancellationToken ct = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && interval > TimeSpan.Zero)
                await Task.Delay(interval, ct);
            await _socket.SendToAsync(IkeWire.BuildSaInit(initiatorSpi), SocketFlags.None, Server, ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The VPN server's UDP/500: records the remote endpoint of every datagram.</summary>
public sealed class IkeReceiver : PacketRecorder<IkeDatagram>
{
    private IkeReceiver(string ns, Socket socket) : base(ns, socket)
    {
    }

    public static async Task<IkeReceiver> StartAsync(string ns, IPAddress listenAddress, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var socket = await Netns.OpenSocketAsync(ns, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(listenAddress, IkeWire.Port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var receiver = new IkeReceiver(ns, socket);
        receiver.Start();
        return receiver;
    }

    /// <summary>Distinct remote endpoints seen for <paramref name="initiatorSpi"/>, in order of first appearance.</summary>
    public IReadOnlyList<IPEndPoint> EndpointsFor(ulong initiatorSpi) =>
        [.. Packets.Where(d => d.InitiatorSpi == initiatorSpi).Select(d => d.Remote).Distinct()];

    public Task<bool> WaitForCountAsync(ulong initiatorSpi, int count, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForAsync(datagrams => datagrams.Count(d => d.InitiatorSpi == initiatorSpi) >= count, timeout, ct);

    protected override async ValueTask<IkeDatagram?> ReceiveOneAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var result = await Socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), ct);
        return IkeWire.InitiatorSpi(buffer.Span[..result.ReceivedBytes]) is { } spi
            ? new IkeDatagram((IPEndPoint)result.RemoteEndPoint, spi, DateTime.UtcNow)
            : null;
    }
}
