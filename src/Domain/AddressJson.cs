using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RouterAdmin.Domain;

/// <summary>
/// Addresses and networks as JSON strings ("192.0.2.1", "198.51.100.0/24"), written without a string each: a
/// revision stores 10,000 mappings and an inventory of 10,000 clients, and a string per address was most of the
/// garbage writing them made.
/// </summary>
public static class AddressJson
{
    public sealed class AddressConverter : JsonConverter<IPAddress>
    {
        public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPAddress.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options) => WriteFormatted(writer, value);
    }

    public sealed class NetworkConverter : JsonConverter<IPNetwork>
    {
        public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            IPNetwork.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options) => WriteFormatted(writer, value);
    }

    private static void WriteFormatted<T>(Utf8JsonWriter writer, T value) where T : IUtf8SpanFormattable
    {
        // An IPv6 network with its prefix is at most 49 bytes.
        Span<byte> text = stackalloc byte[64];
        if (!value.TryFormat(text, out var written, default, null)) throw new FormatException($"{value} does not fit in {text.Length} bytes.");
        writer.WriteStringValue(text[..written]);
    }
}
