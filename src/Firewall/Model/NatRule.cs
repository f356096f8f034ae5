namespace RouterAdmin.Firewall.Model;

/// <summary>One rule of the nat table: its chain and the words after <c>-A CHAIN</c>, as iptables-save would print them.</summary>
public sealed class NatRule(string chain, IReadOnlyList<string> arguments) : IEquatable<NatRule>
{
    public string Chain { get; } = chain;
    public IReadOnlyList<string> Arguments { get; } = arguments;

    /// <summary>The canonical text of the rule's match and target, used to compare rules whatever quoting produced them.</summary>
    public string Spec { get; } = IptablesSyntax.Join(arguments);

    public string SaveLine => $"-A {Chain} {Spec}";

    public string? Target => ValueOf("-j");
    public string? Comment => ValueOf("--comment");

    public string? ValueOf(string option)
    {
        for (var i = 0; i < Arguments.Count - 1; i++)
            if (Arguments[i] == option) return Arguments[i + 1];
        return null;
    }

    public static NatRule FromSaveLine(string line)
    {
        var words = IptablesSyntax.Split(line);
        if (words.Count < 2 || words[0] != "-A")
            throw new FormatException($"Not an iptables-save rule line: {line}");
        return new NatRule(words[1], words.Skip(2).ToArray());
    }

    public bool Equals(NatRule? other) => other is not null && Chain == other.Chain && Spec == other.Spec;
    public override bool Equals(object? obj) => Equals(obj as NatRule);
    public override int GetHashCode() => HashCode.Combine(Chain, Spec);
    public override string ToString() => SaveLine;
}
