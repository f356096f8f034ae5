using System.Buffers.Binary;
using System.Net;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>One ESP packet as seen by <see cref="EspReceiver"/>.</summary>
public sealed record EspPacket(IPAddress Source, IPAddress Destination, uint Spi, uint Sequence, DateTime At);

/// <summary>The ESP wire format (RFC 4303): SPI and sequence number, then the (here meaningless) payload.</summary>
internal static class EspWire
{
    public const int HeaderLength = 8;
    private static readonly byte[] Filler = "RouterAdmin lab ESP payload....."u8.ToArray();

    public static byte[] Build(uint spi, uint sequence)
    {
        var packet = new byte[HeaderLength + Filler.Length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence);
        Filler.CopyTo(packet, HeaderLength);
        return packet;
    }

    /// <summary>Parses what a raw IPv4 socket delivers: the IP header, then ESP after IHL×4 bytes.</summary>
    public static EspPacket? ParseIpv4(ReadOnlySpan<byte> datagram, DateTime at)
    {
        if (datagram.Length < 20 || datagram[0] >> 4 != 4 || datagram[9] != EspProtocolNumber)
            return null;
        var headerLength = (datagram[0] & 0x0F) * 4;
        if (headerLength < 20 || datagram.Length < headerLength + HeaderLength)
            return null;
        var esp = datagram[headerLength..];
        return new EspPacket(
            new IPAddress(datagram[12..16]),
            new IPAddress(datagram[16..20]),
            BinaryPrimitives.ReadUInt32BigEndian(esp),
            BinaryPrimitives.ReadUInt32BigEndian(esp[4..]),
            at);
    }

    public const byte EspProtocolNumber = 50;
}
