using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace RouterAdmin.Domain;

/// <summary>IPv4 arithmetic that System.Net leaves to the caller: numeric order, broadcast addresses, strict parsing.</summary>
public static class Ipv4
{
    public static uint ToUInt32(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    public static IPAddress Broadcast(IPNetwork network) =>
        FromUInt32(ToUInt32(network.BaseAddress) | ~Mask(network.PrefixLength));

    /// <summary>
    /// Accepts only the dotted-quad form. IPAddress.TryParse also takes "10", "0x0a.1" and "10.1",
    /// which an administrator never means and which would be stored as something else than typed.
    /// </summary>
    public static bool TryParseStrict(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit)) return false;
            if (part.Length > 1 && part[0] == '0') return false; // 010 reads as octal to some tools, decimal to others
            var value = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            if (value > 255) return false;
            bytes[i] = (byte)value;
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>"198.51.100.10/32" is shown as "198.51.100.10"; other networks keep their prefix.</summary>
    public static string Format(IPNetwork network) =>
        network.PrefixLength == 32 ? network.BaseAddress.ToString() : network.ToString();

    /// <summary>Reads back what <see cref="Format"/> wrote: a bare address is a /32.</summary>
    public static IPNetwork ParseNetwork(string text) => IPNetwork.Parse(text.Contains('/') ? text : text + "/32");
}
