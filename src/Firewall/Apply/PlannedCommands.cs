using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Diff;

namespace RouterAdmin.Firewall.Apply;

/// <summary>The ordered list of what an apply runs, as the backend will run it: shown in the preview, kept in the history.</summary>
public static class PlannedCommands
{
    public static IReadOnlyList<string> Describe(ChangePreview preview, IFirewallBackend backend)
    {
        var commands = new List<string>();
        commands.AddRange(preview.AddressesToAdd.Select(backend.DescribeAddAddress));
        if (preview.RulesChange) commands.Add(backend.DescribeRestore());
        commands.AddRange(preview.AddressesToRemove.Select(backend.DescribeDeleteAddress));
        if (commands.Count > 0) commands.Add("read back and verify the owned chains and addresses");
        commands.AddRange(preview.FlowsToReset.Select(backend.DescribeResetFlow));
        return commands;
    }
}
