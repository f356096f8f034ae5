using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// A file against the inventory, line by line, with no database: each line validated by <see cref="InventoryValidator"/>
/// (the pages' checks), then the checks that need the rest (a name or address used twice, in the file or the inventory;
/// an endpoint nobody knows; an address taken). A client takes its named addresses first, then the lowest free ones, and
/// a client line is imported whole or refused whole.
/// </summary>
public static class ImportPlanner
{
    public static ImportPlan Plan(ParsedDocument file, InventorySnapshot inventory)
    {
        var settings = new RouterSettings { WanInterface = inventory.Settings.WanInterface, LanSubnet = inventory.Settings.LanSubnet, ManageMasquerade = inventory.Settings.ManageMasquerade };
        var refused = new List<RefusedLine>();
        var kept = new List<KeptLine>();
        var endpoints = PlanEndpoints(file, inventory, settings, kept, refused);
        var addresses = PlanAddresses(file, inventory, settings, kept, refused);
        var known = new KnownEndpoints(inventory.Endpoints.Select(e => (e.Name, e.Destination)).Concat(endpoints.Select(e => (e.Endpoint.Name, e.Endpoint.Destination))));
        var destinations = inventory.Endpoints.ToDictionary(e => e.Id, e => e.Destination);
        var externals = inventory.ExternalAddresses.ToDictionary(a => a.Id, a => a.Address);
        var pool = new AddressPool(inventory.ExternalAddresses.Select(a => a.Address).Concat(addresses.Select(a => a.Address.Address)),
            inventory.Assignments.Select(a => (destinations[a.EndpointId], externals[a.ExternalAddressId])));
        var clients = new ClientPlanning(inventory, settings, known, pool, refused).Plan(file.Clients);
        return new ImportPlan(endpoints, addresses, clients, kept, refused.OrderBy(r => r.Where, LineOrder.Instance).ToArray());
    }

    private static List<PlannedEndpoint> PlanEndpoints(ParsedDocument file, InventorySnapshot inventory, RouterSettings settings, List<KeptLine> kept, List<RefusedLine> refused)
    {
        var planned = new List<PlannedEndpoint>();
        foreach (var (where, line) in file.Endpoints)
        {
            if (!TryValidate(where, () => InventoryValidator.Validate(new EndpointDraft { Name = line.Name, Destination = line.Destination, Notes = line.Notes ?? "" }, settings), refused, out var valid))
                continue;
            if (inventory.Endpoints.Any(e => e.Destination == valid.Destination && string.Equals(e.Name, valid.Name, StringComparison.OrdinalIgnoreCase)))
            {
                kept.Add(new KeptLine(where, $"VPN endpoint {valid.Name} is in the inventory already"));
                continue;
            }
            var others = inventory.Endpoints.Select(e => (e.Name, e.Destination)).Concat(planned.Select(p => (p.Endpoint.Name, p.Endpoint.Destination))).ToArray();
            if (EndpointService.Clash(valid.Destination, others) is { } clash)
                refused.Add(new RefusedLine(where, nameof(EndpointDraft.Destination), clash));
            else if (others.Any(o => string.Equals(o.Name, valid.Name, StringComparison.OrdinalIgnoreCase)))
                refused.Add(new RefusedLine(where, nameof(EndpointDraft.Name), $"Another endpoint is already called {valid.Name}; clients name their endpoints, so the names must differ."));
            else
                planned.Add(new PlannedEndpoint(where, valid));
        }
        return planned;
    }

    private static List<PlannedAddress> PlanAddresses(ParsedDocument file, InventorySnapshot inventory, RouterSettings settings, List<KeptLine> kept, List<RefusedLine> refused)
    {
        var planned = new List<PlannedAddress>();
        foreach (var (where, line) in file.ExternalAddresses)
        {
            var draft = new ExternalAddressDraft { Address = line.Address, Interface = line.Interface, PrefixLength = line.PrefixLength, BindOnWan = line.BindOnWan, Notes = line.Notes ?? "" };
            if (!TryValidate(where, () => InventoryValidator.Validate(draft, settings), refused, out var valid)) continue;
            var existing = inventory.ExternalAddresses.FirstOrDefault(a => a.Address.Equals(valid.Address));
            if (existing is not null && existing.Interface == valid.Interface && existing.PrefixLength == valid.PrefixLength && existing.BindOnWan == valid.BindOnWan)
                kept.Add(new KeptLine(where, $"External address {valid.Address} is in the inventory already"));
            else if (existing is not null || planned.Any(p => p.Address.Address.Equals(valid.Address)))
                refused.Add(new RefusedLine(where, nameof(ExternalAddressDraft.Address), $"{valid.Address} is already in the list."));
            else if (ExternalAddressService.BindLabelProblem(valid) is { } problem)
                refused.Add(new RefusedLine(where, nameof(ExternalAddressDraft.Interface), problem));
            else
                planned.Add(new PlannedAddress(where, valid));
        }
        return planned;
    }

    internal static bool TryValidate<T>(string where, Func<T> validate, List<RefusedLine> refused, out T valid) where T : class
    {
        try
        {
            valid = validate();
            return true;
        }
        catch (InvalidInput invalid)
        {
            foreach (var (field, messages) in invalid.Errors.ByField)
                refused.AddRange(messages.Select(m => new RefusedLine(where, field, m)));
            valid = null!;
            return false;
        }
    }

    /// <summary>"line 3" before "line 12", "clients[2]" before "clients[10]": the order of the file.</summary>
    private sealed class LineOrder : IComparer<string>
    {
        public static readonly LineOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var (px, nx) = Split(x ?? "");
            var (py, ny) = Split(y ?? "");
            var byPrefix = string.CompareOrdinal(px, py);
            return byPrefix != 0 ? byPrefix : nx.CompareTo(ny);
        }

        private static (string, int) Split(string where)
        {
            var digits = new string(where.Where(char.IsAsciiDigit).ToArray());
            return (new string(where.Where(c => !char.IsAsciiDigit(c)).ToArray()), int.TryParse(digits, out var n) ? n : 0);
        }
    }
}
