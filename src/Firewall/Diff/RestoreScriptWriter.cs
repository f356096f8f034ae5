using System.Text;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Diff;

/// <summary>
/// Writes the one iptables-restore --noflush transaction that turns the live owned state into the wanted one.
/// With --noflush only what the script names changes: declaring an owned chain empties it, its rules are added back,
/// and the jump is moved to position 1 only when it is not there already. A rule someone else wrote is never named,
/// except a stray jump to our chain and a hand-written rule the inventory has taken over; both are deleted by their
/// exact text, so a table that changed meanwhile makes the whole transaction fail rather than delete the wrong rule.
/// </summary>
public static class RestoreScriptWriter
{
    public static string Write(OwnedState desired, OwnedState live, IReadOnlyList<NatRule>? retiredPresent = null)
    {
        var script = new StringBuilder("*nat\n");
        // Declaring the chains creates or empties them; when they are to go away they must be empty to be deleted.
        script.Append(':').Append(OwnedChains.Snat).Append(" - [0:0]\n");
        script.Append(':').Append(OwnedChains.Masquerade).Append(" - [0:0]\n");
        foreach (var rule in retiredPresent ?? [])
            AppendCommand(script, "-D", rule);
        if (desired.ChainsExist)
        {
            foreach (var rule in desired.SnatRules.Concat(desired.MasqueradeRules))
                AppendCommand(script, "-A", rule);
        }
        if (!live.Jumps.SequenceEqual(desired.Jumps))
        {
            foreach (var jump in live.Jumps) AppendCommand(script, "-D", jump.Rule);
            foreach (var jump in desired.Jumps.OrderBy(j => j.Position))
                AppendCommand(script, "-I", jump.Rule, jump.Position);
        }
        if (!desired.ChainsExist)
        {
            script.Append("-X ").Append(OwnedChains.Snat).Append('\n');
            script.Append("-X ").Append(OwnedChains.Masquerade).Append('\n');
        }
        return script.Append("COMMIT\n").ToString();
    }

    private static void AppendCommand(StringBuilder script, string command, NatRule rule, int? position = null)
    {
        if (!IptablesSyntax.IsSafeWord(rule.Chain) || !rule.Arguments.All(IptablesSyntax.IsSafeWord))
            throw new InvalidOperationException($"Refusing to write a rule containing a control character: {rule.SaveLine}");
        script.Append(command).Append(' ').Append(rule.Chain);
        if (position is not null) script.Append(' ').Append(position.Value);
        script.Append(' ').Append(rule.Spec).Append('\n');
    }
}
