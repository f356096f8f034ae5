namespace RouterAdmin.Inventory;

/// <summary>Says in words how one inventory differs from another: what a rollback will do to the inventory.</summary>
public static class InventoryComparer
{
    public static IReadOnlyList<string> Describe(InventorySnapshot current, InventorySnapshot target)
    {
        var changes = new List<string>();
        Compare(changes, "Client", current.Clients, target.Clients, c => c.Id, c => $"{c.Name} ({c.LanAddress})",
            (a, b) => a == b);
        Compare(changes, "External address", current.ExternalAddresses, target.ExternalAddresses, a => a.Id, a => a.Address.ToString(), (a, b) => a == b);
        Compare(changes, "VPN endpoint", current.Endpoints, target.Endpoints, e => e.Id, e => e.Name, (a, b) => a == b);

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
            changes.Add($"Settings: WAN {current.Settings.WanInterface} → {target.Settings.WanInterface}, LAN {current.Settings.LanSubnet} → {target.Settings.LanSubnet}, masquerade managed {current.Settings.ManageMasquerade} → {target.Settings.ManageMasquerade}");
        return changes;
    }

    private static void Compare<T>(List<string> changes, string kind, IReadOnlyList<T> current, IReadOnlyList<T> target,
        Func<T, int> id, Func<T, string> name, Func<T, T, bool> same)
    {
        var now = current.ToDictionary(id);
        var then = target.ToDictionary(id);
        changes.AddRange(then.Where(p => !now.ContainsKey(p.Key)).Select(p => $"{kind} {name(p.Value)} comes back"));
        changes.AddRange(now.Where(p => !then.ContainsKey(p.Key)).Select(p => $"{kind} {name(p.Value)} is removed"));
        changes.AddRange(now.Where(p => then.TryGetValue(p.Key, out var t) && !same(p.Value, t)).Select(p => $"{kind} {name(p.Value)} is changed back to {name(then[p.Key])}"));
    }
}
