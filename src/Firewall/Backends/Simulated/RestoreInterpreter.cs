using RouterAdmin.Firewall.Model;

using RouterAdmin.Firewall.Backends.Iptables;

namespace RouterAdmin.Firewall.Backends.Simulated;

/// <summary>
/// Plays an iptables-restore --noflush script against a table held in memory, with the kernel's all-or-nothing
/// semantics for the commands RouterAdmin writes: declare (create or empty) a chain, -A, -I, -D by rule text, -X.
/// Anything else, or a -D that matches nothing, fails the whole transaction as the real tool would.
/// </summary>
public static class RestoreInterpreter
{
    public static NatTable Apply(NatTable table, string script)
    {
        var chains = table.Chains.Select(c => (c.Name, c.Policy, Rules: c.Rules.ToList())).ToList();
        var lineNumber = 0;
        var inNat = false;
        foreach (var raw in script.Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '*')
            {
                if (line != "*nat") Fail(lineNumber, $"table {line[1..]} is not simulated");
                inNat = true;
                continue;
            }
            if (!inNat) Fail(lineNumber, "command outside a table");
            if (line == "COMMIT") { inNat = false; continue; }
            if (line[0] == ':')
            {
                var name = line[1..].Split(' ')[0];
                var index = chains.FindIndex(c => c.Name == name);
                if (index < 0) chains.Add((name, "-", []));
                // --noflush empties a declared user chain but only sets a built-in chain's policy, keeping its rules.
                else if (chains[index].Policy == "-") chains[index].Rules.Clear();
                continue;
            }
            var words = IptablesSyntax.Split(line);
            if (words.Count < 2) Fail(lineNumber, "incomplete command");
            var (command, chainName) = (words[0], words[1]);
            var chainIndex = chains.FindIndex(c => c.Name == chainName);
            if (chainIndex < 0) Fail(lineNumber, $"no chain/target/match by the name {chainName}");
            var rules = chains[chainIndex].Rules;
            switch (command)
            {
                case "-A":
                    rules.Add(new NatRule(chainName, words.Skip(2).ToArray()));
                    break;
                case "-I":
                    var position = words.Count > 2 && int.TryParse(words[2], out var p) ? p : 1;
                    var skip = words.Count > 2 && int.TryParse(words[2], out _) ? 3 : 2;
                    if (position < 1 || position > rules.Count + 1) Fail(lineNumber, "index of insertion too big");
                    rules.Insert(position - 1, new NatRule(chainName, words.Skip(skip).ToArray()));
                    break;
                case "-D":
                    var target = new NatRule(chainName, words.Skip(2).ToArray());
                    var at = rules.IndexOf(target);
                    if (at < 0) Fail(lineNumber, "Bad rule (does a matching rule exist in that chain?)");
                    rules.RemoveAt(at);
                    break;
                case "-X":
                    if (rules.Count > 0) Fail(lineNumber, "Directory not empty");
                    chains.RemoveAt(chainIndex);
                    break;
                default:
                    Fail(lineNumber, $"unknown command {command}");
                    break;
            }
        }
        if (inNat) Fail(lineNumber, "no COMMIT line");
        foreach (var (name, _, rules) in chains)
            foreach (var rule in rules.Where(r => r.Target is { } t && !IsBuiltInTarget(t) && chains.All(c => c.Name != t)))
                Fail(lineNumber, $"rule in {name} jumps to missing chain {rule.Target}");
        return new NatTable(chains.Select(c => new NatChain(c.Name, c.Policy, c.Rules)).ToArray());
    }

    private static bool IsBuiltInTarget(string target) =>
        target is "SNAT" or "DNAT" or "MASQUERADE" or "RETURN" or "ACCEPT" or "REDIRECT" or "NETMAP" or "LOG";

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(int line, string message) =>
        throw new FirewallCommandException("iptables-restore --noflush (simulated)", 1, $"iptables-restore: line {line} failed: {message}");
}
