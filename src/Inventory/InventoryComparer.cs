namespace RouterAdmin.Inventory;

/// <summary>Says in words how one inventory differs from another: what a rollback will do to the inventory.</summary>
public static class InventoryComparer
{
    public static IReadOnlyList<string> Describe(InventorySnapshot current, InventorySnapshot target)
    {
        var changes = new List<string>();
        Compare(changes, "Client", current.Clients, target.Clients, c => c.Id, c => $"{c.Name} ({c.LanAddress})", (now, then) => Fields(
            ("name", now.Name, then.Name), ("LAN address", now.LanAddress.ToString(), then.LanAddress.ToString()),
            ("MAC", now.MacAddress, then.MacAddress), ("notes", now.Notes, then.Notes))
            + (now.Enabled == then.Enabled ? "" : then.Enabled ? "; is enabled again" : "; is disabled again"));
        Compare(changes, "External address", current.ExternalAddresses, target.ExternalAddresses, a => a.Id, a => a.Address.ToString(), (now, then) => Fields(
            ("address", now.Address.ToString(), then.Address.ToString()), ("interface", now.Interface, then.Interface),
            ("prefix", now.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture), then.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("bound by RouterAdmin", now.BindOnWan.ToString(), then.BindOnWan.ToString()), ("notes", now.Notes, then.Notes)));
        Compare(changes, "VPN endpoint", current.Endpoints, target.Endpoints, e => e.Id, e => e.Name, (now, then) => Fields(
            ("name", now.Name, then.Name), ("destination", now.Destination.ToString(), then.Destination.ToString()), ("notes", now.Notes, then.Notes)));

        string Pair(InventorySnapshot s, InventorySnapshot.AssignmentRow a) =>
            $"{s.Clients.FirstOrDefault(c => c.Id == a.ClientId)?.Name ?? "?"} → {s.Endpoints.FirstOrDefault(e => e.Id == a.EndpointId)?.Name ?? "?"}";
        string Address(InventorySnapshot s, int id) => s.ExternalAddresses.FirstOrDefault(x => x.Id == id)?.Address.ToString() ?? "?";

        var now = current.Assignments.ToDictionary(a => (a.ClientId, a.EndpointId));
        var then = target.Assignments.ToDictionary(a => (a.ClientId, a.EndpointId));
        foreach (var (key, a) in then.Where(p => !now.ContainsKey(p.Key)))
            changes.Add($"Assignment {Pair(target, a)} via {Address(target, a.ExternalAddressId)} comes back");
        foreach (var (key, a) in now.Where(p => !then.ContainsKey(p.Key)))
            changes.Add($"Assignment {Pair(current, a)} via {Address(current, a.ExternalAddressId)} is removed");
        foreach (var (key, a) in now.Where(p => then.TryGetValue(p.Key, out var t) && Address(target, t.ExternalAddressId) != Address(current, p.Value.ExternalAddressId)))
            changes.Add($"Assignment {Pair(current, a)}: {Address(current, a.ExternalAddressId)} → {Address(target, then[key].ExternalAddressId)}");

        if (current.Settings != target.Settings)
            changes.Add($"Settings: WAN {current.Settings.WanInterface} → {target.Settings.WanInterface}, LAN {current.Settings.LanSubnet} → {target.Settings.LanSubnet}, masquerade managed {current.Settings.ManageMasquerade} → {target.Settings.ManageMasquerade}, VPN watch {current.Settings.WatchVpnUsers} → {target.Settings.WatchVpnUsers}");
        return changes;
    }

    private static void Compare<T>(List<string> changes, string kind, IReadOnlyList<T> current, IReadOnlyList<T> target,
        Func<T, int> id, Func<T, string> name, Func<T, T, string> differences)
    {
        var now = current.ToDictionary(id);
        var then = target.ToDictionary(id);
        changes.AddRange(then.Where(p => !now.ContainsKey(p.Key)).Select(p => $"{kind} {name(p.Value)} comes back"));
        changes.AddRange(now.Where(p => !then.ContainsKey(p.Key)).Select(p => $"{kind} {name(p.Value)} is removed"));
        foreach (var (key, value) in now.Where(p => then.ContainsKey(p.Key)))
        {
            var words = differences(value, then[key]).TrimStart(';', ' ');
            if (words.Length > 0) changes.Add($"{kind} {name(value)}: {words}");
        }
    }

    /// <summary>"name Bob → Robert; notes — → on leave": only the fields that differ, old value first.</summary>
    private static string Fields(params (string Field, string? Now, string? Then)[] fields) =>
        string.Join("; ", fields.Where(f => f.Now != f.Then).Select(f => $"{f.Field} {f.Now ?? "—"} → {f.Then ?? "—"}"));
}
