using System.Globalization;
using CsvHelper;
using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// The inventory as one CSV table. Every row says what it is in a <c>record</c> column (endpoint, external or client;
/// a file without that column holds clients only), so one file carries the whole inventory and a hand-written list of
/// employees needs just <c>name,lan_address,mac,notes,endpoints</c>. Columns are found by their header, in any order.
/// </summary>
public static class CsvInventoryFormat
{
    // The export's columns, in its order; the import also takes the aliases below.
    private static readonly string[] Columns = ["record", "name", "address", "interface", "prefix", "bind", "mac", "enabled", "notes", "assignments"];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["lanaddress"] = "address", ["destination"] = "address", ["externaladdress"] = "address",
        ["endpoints"] = "assignments", ["macaddress"] = "mac", ["prefixlength"] = "prefix", ["bindonwan"] = "bind",
    };

    /// <summary>Between the assignments of a client: "North=203.0.113.4; South" (South from the lowest free address).</summary>
    public const char AssignmentSeparator = ';';

    public static string Write(InventoryDocument document)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        // Fields are written as they are (no formula escaping): the file is for the import, which must read back exactly what was written.
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\n" }))
        {
            csv.WriteHeader(Columns);
            foreach (var e in document.Endpoints) Row(csv, "endpoint", e.Name, e.Destination, notes: e.Notes);
            foreach (var a in document.ExternalAddresses)
                Row(csv, "external", null, a.Address, a.Interface, a.PrefixLength.ToString(CultureInfo.InvariantCulture), a.BindOnWan ? "true" : "false", notes: a.Notes);
            foreach (var c in document.Clients)
                Row(csv, "client", c.Name, c.LanAddress, mac: c.MacAddress, enabled: c.Enabled ? "true" : "false", notes: c.Notes,
                    assignments: string.Join("; ", (c.Assignments ?? []).Select(a => a.ExternalAddress is null ? a.Endpoint : $"{a.Endpoint}={a.ExternalAddress}")));
        }
        return text.ToString();
    }

    private static void Row(CsvWriter csv, string record, string? name, string address, string? iface = null, string? prefix = null, string? bind = null,
        string? mac = null, string? enabled = null, string? notes = null, string? assignments = null)
    {
        foreach (var field in new[] { record, name, address, iface, prefix, bind, mac, enabled, notes, assignments }) csv.WriteField(field);
        csv.EndRecord();
    }

    public static ParsedDocument Read(string text)
    {
        var endpoints = new List<Located<EndpointLine>>();
        var addresses = new List<Located<ExternalAddressLine>>();
        var clients = new List<Located<ClientLine>>();
        try
        {
            using var csv = CsvReader.Create(new StringReader(text), new CsvReaderOptions
            {
                Separator = ',', TrackLineNumbers = true, TrimWhitespace = true, MissingField = CsvMissingFieldHandling.ReturnEmpty,
            });
            var index = HeaderIndex(csv.Headers.ToArray());
            string? Field(string column) => index.TryGetValue(column, out var i) && i < csv.FieldCount && csv.GetString(i) is { Length: > 0 } value ? value : null;
            while (csv.Read())
            {
                var where = $"line {csv.LineNumber}";
                switch (Field("record")?.ToLowerInvariant() ?? "client")
                {
                    case "endpoint":
                        endpoints.Add(new(where, new EndpointLine(Field("name") ?? "", Field("address") ?? "", Field("notes"))));
                        break;
                    case "external":
                        addresses.Add(new(where, new ExternalAddressLine(Field("address") ?? "", Field("interface") ?? "",
                            Number(Field("prefix"), 24, where), Flag(Field("bind"), false, where), Field("notes"))));
                        break;
                    case "client":
                        clients.Add(new(where, new ClientLine(Field("name") ?? "", Field("address") ?? "", Field("mac"), Field("notes"),
                            Flag(Field("enabled"), true, where), Assignments(Field("assignments")))));
                        break;
                    case var other:
                        throw InvalidInput.For(where, $"\"{other}\" in the record column is not endpoint, external or client.");
                }
            }
        }
        catch (CsvFormatException e)
        {
            throw InvalidInput.For("File", $"The file is not valid CSV: {e.Message}");
        }
        return new ParsedDocument(endpoints, addresses, clients);
    }

    private static Dictionary<string, int> HeaderIndex(string[] headers)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Length; i++)
        {
            var key = new string(headers[i].Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
            index.TryAdd(Aliases.GetValueOrDefault(key, key), i);
        }
        if (!index.ContainsKey("name") && !index.ContainsKey("address"))
            throw InvalidInput.For("File", "The first line must name the columns, e.g. name,lan_address,mac,notes,endpoints.");
        return index;
    }

    /// <summary>"North=203.0.113.4; South": towards North from that address, towards South from the lowest free one.</summary>
    private static IReadOnlyList<AssignmentLine> Assignments(string? text) =>
        (text ?? "").Split(AssignmentSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.LastIndexOf('=') is var at and > 0
                ? new AssignmentLine(part[..at].Trim(), part[(at + 1)..].Trim())
                : new AssignmentLine(part))
            .ToArray();

    private static bool Flag(string? text, bool empty, string where) => text?.ToLowerInvariant() switch
    {
        null => empty,
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw InvalidInput.For(where, $"\"{text}\" is not true or false."),
    };

    private static int Number(string? text, int empty, string where) =>
        text is null ? empty
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw InvalidInput.For(where, $"\"{text}\" is not a prefix length.");
}
