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
    public abstract class Rows<T>(JsonSerializerOptions readOptions) : JsonConverter<IReadOnlyList<T>>
    {
        public override IReadOnlyList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<T[]>(ref reader, readOptions);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> rows, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                WriteProperties(writer, row);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }

        /// <summary>The row's properties in the order the serializer writes them.</summary>
        protected abstract void WriteProperties(Utf8JsonWriter writer, T row);
    }

    public sealed class Clients(JsonSerializerOptions readOptions) : Rows<InventorySnapshot.ClientRow>(readOptions)
    {
        protected override void WriteProperties(Utf8JsonWriter writer, InventorySnapshot.ClientRow row)
        {
            writer.WriteNumber("Id"u8, row.Id);
            writer.WriteString("Name"u8, row.Name);
            writer.WriteString("LanAddress"u8, row.LanAddress.ToString());
            writer.WriteString("MacAddress"u8, row.MacAddress);
            writer.WriteString("Notes"u8, row.Notes);
            writer.WriteBoolean("Enabled"u8, row.Enabled);
        }
    }

    public sealed class Assignments(JsonSerializerOptions readOptions) : Rows<InventorySnapshot.AssignmentRow>(readOptions)
    {
        protected override void WriteProperties(Utf8JsonWriter writer, InventorySnapshot.AssignmentRow row)
        {
            writer.WriteNumber("Id"u8, row.Id);
            writer.WriteNumber("ClientId"u8, row.ClientId);
            writer.WriteNumber("EndpointId"u8, row.EndpointId);
            writer.WriteNumber("ExternalAddressId"u8, row.ExternalAddressId);
            writer.WriteString("AssignedAt"u8, row.AssignedAt);
        }
    }
}
