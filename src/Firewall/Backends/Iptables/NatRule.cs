namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>One rule of the nat table: its chain and the words after <c>-A CHAIN</c>, as iptables-save would print them.</summary>
public sealed class NatRule(string chain, IReadOnlyList<string> arguments) : IEquatable<NatRule>
{
    private string? _spec;
    private int? _hash;

    public string Chain { get; } = chain;
    public IReadOnlyList<string> Arguments { get; } = arguments;

    /// <summary>
    /// The canonical text of the rule's match and target, quoted the way iptables-save quotes. Built when first asked:
    /// comparing rules needs only their words, and after an apply 10,000 rules are read back just to be compared.
    /// </summary>
    public string Spec => _spec ??= IptablesSyntax.Join(Arguments);

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

    // Same words in the same order is the same rule: the canonical text is a function of the words, so comparing the
    // words is comparing the text, without building it.
    public bool Equals(NatRule? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (Chain != other.Chain || Arguments.Count != other.Arguments.Count || GetHashCode() != other.GetHashCode()) return false;
        for (var i = 0; i < Arguments.Count; i++)
            if (!string.Equals(Arguments[i], other.Arguments[i], StringComparison.Ordinal)) return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as NatRule);

    public override int GetHashCode()
    {
        if (_hash is { } hash) return hash;
        var combined = new HashCode();
        combined.Add(Chain, StringComparer.Ordinal);
        foreach (var word in Arguments) combined.Add(word, StringComparer.Ordinal);
        return (_hash = combined.ToHashCode()).Value;
    }

    public override string ToString() => SaveLine;
}
