using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RouterAdmin.Inventory;

/// <summary>
/// The two long lists of an inventory (10,000 clients and their assignments) written exactly as System.Text.Json
/// writes them, without its per-object machinery: a revision stores the inventory with every change, and a list
/// written row by row in a loop compiled optimised from its first call (it runs once per change, too rarely for
/// tiered compilation to get to it) takes a third of the time. Read back by the serializer itself.
/// </summary>
internal static class InventoryRowsJson
{
    public sealed class Clients(JsonSerializerOptions readOptions) : JsonConverter<IReadOnlyList<InventorySnapshot.ClientRow>>
    {
        public override IReadOnlyList<InventorySnapshot.ClientRow>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<InventorySnapshot.ClientRow[]>(ref reader, readOptions);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Write(Utf8JsonWriter writer, IReadOnlyList<InventorySnapshot.ClientRow> rows, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteNumber("Id"u8, row.Id);
                writer.WriteString("Name"u8, row.Name);
                writer.WriteString("LanAddress"u8, row.LanAddress.ToString());
                writer.WriteString("MacAddress"u8, row.MacAddress);
                writer.WriteString("Notes"u8, row.Notes);
                writer.WriteBoolean("Enabled"u8, row.Enabled);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }

    public sealed class Assignments(JsonSerializerOptions readOptions) : JsonConverter<IReadOnlyList<InventorySnapshot.AssignmentRow>>
    {
        public override IReadOnlyList<InventorySnapshot.AssignmentRow>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<InventorySnapshot.AssignmentRow[]>(ref reader, readOptions);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Write(Utf8JsonWriter writer, IReadOnlyList<InventorySnapshot.AssignmentRow> rows, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteNumber("Id"u8, row.Id);
                writer.WriteNumber("ClientId"u8, row.ClientId);
                writer.WriteNumber("EndpointId"u8, row.EndpointId);
                writer.WriteNumber("ExternalAddressId"u8, row.ExternalAddressId);
                writer.WriteString("AssignedAt"u8, row.AssignedAt);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
    }
}
