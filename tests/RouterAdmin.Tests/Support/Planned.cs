using RouterAdmin.Tests.Support;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.Inventory;

namespace RouterAdmin.Tests.Support;

/// <summary>The plan of an inventory, rendered as the iptables backend renders it: what the iptables specs compare.</summary>
public static class Planned
{
    public static OwnedState Rules(InventorySnapshot inventory) => IptablesRules.Render(FirewallPlanner.Plan(inventory));
}
