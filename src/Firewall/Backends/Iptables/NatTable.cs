namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>The nat table as iptables-save printed it: chains in order, each with its policy (or "-") and rules.</summary>
public sealed record NatChain(string Name, string Policy, IReadOnlyList<NatRule> Rules)
{
    public bool IsBuiltIn => Policy != "-";
}

public sealed record NatTable(IReadOnlyList<NatChain> Chains)
{
    public static NatTable Empty { get; } = new([]);

    public NatChain? Find(string name) => Chains.FirstOrDefault(c => c.Name == name);

    public IReadOnlyList<NatRule> RulesOf(string name) => Find(name)?.Rules ?? [];
}
