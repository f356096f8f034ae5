using System.Runtime.CompilerServices;
using System.Text;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Nftables;

/// <summary>
/// Writes the owned table as nft's own input language: the readable view (diff, history) and the transactions are the
/// same text, so what the administrator previews is what <c>nft -f</c> reads.
/// </summary>
public static class NftSyntax
{
    /// <summary>nft keeps at most 128 bytes of a comment; labels are far shorter, this is the backstop.</summary>
    private const int MaxCommentLength = 120;

    /// <summary>
    /// The planner already sanitises labels; this makes sure, whatever reaches it, that nothing but a quoted word of
    /// harmless characters lands in an nft file: no quote, backslash, newline or semicolon can end the string.
    /// </summary>
    public static string CommentSafe(string label)
    {
        // Labels come from the planner already safe: such a label is its own answer, with nothing allocated.
        if (label.Length <= MaxCommentLength && !label.AsSpan().ContainsAnyExcept(CommentCharacters)) return label;
        var safe = new StringBuilder(Math.Min(label.Length, MaxCommentLength));
        foreach (var c in label)
        {
            if (safe.Length == MaxCommentLength) break;
            safe.Append(CommentCharacters.Contains(c) ? c : '_');
        }
        return safe.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> CommentCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._@+-/:");

    public static string Quote(string word) => "\"" + CommentSafe(word) + "\"";

    /// <summary>An element of the map: <c>client . endpoint comment "label" : external</c>.</summary>
    public static string Element(SnatMapping m) => AppendElement(new StringBuilder(96), m).ToString();

    /// <summary>An element's key, as nft prints it (a single address without "/32").</summary>
    public static string Key(SnatMapping m) => AppendKey(new StringBuilder(40), m).ToString();

    // Written straight into the table's or transaction's builder: at 10,000 elements, a string per address and per
    // element was most of the time the text took, and all of its garbage.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static StringBuilder AppendElement(StringBuilder text, SnatMapping m) =>
        AppendKey(text, m).Append(" comment \"").Append(CommentSafe(m.Label)).Append("\" : ").Append($"{m.External}");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static StringBuilder AppendKey(StringBuilder text, SnatMapping m) =>
        m.Endpoint.PrefixLength == 32
            ? text.Append($"{m.Client} . {m.Endpoint.BaseAddress}")
            : text.Append($"{m.Client} . {m.Endpoint.BaseAddress}/{m.Endpoint.PrefixLength}");

    /// <summary>The whole table as nft input (and as the administrator reads it); nothing when it does not exist.</summary>
    // Once per change (the history's copy of the router): too rare for tiered compilation, too long at 10,000 elements
    // to run unoptimised.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Table(string table, NftOwnedState owned, bool withAddresses = false)
    {
        var text = new StringBuilder(64 + owned.Elements.Count * 80);
        if (owned.Exists)
        {
            text.Append("table ip ").Append(table).Append(" {\n");
            foreach (var block in owned.Blocks)
            {
                text.Append('\t').Append(block.Kind).Append(' ').Append(block.Name).Append(" {\n");
                foreach (var line in block.Lines) text.Append("\t\t").Append(line).Append('\n');
                if (block.Kind == "map" && block.Name == NftRules.MapName && owned.Elements.Count > 0)
                {
                    text.Append("\t\telements = {\n");
                    foreach (var element in owned.Elements) AppendElement(text.Append("\t\t\t"), element).Append(",\n");
                    text.Append("\t\t}\n");
                }
                text.Append("\t}\n");
            }
            text.Append("}\n");
        }
        if (withAddresses && owned.Addresses.Count > 0)
        {
            text.Append("# addresses bound by RouterAdmin\n");
            foreach (var address in owned.Addresses) text.Append("# ip addr ").Append(address).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>How many lines <see cref="Table"/> writes for this state, counted without writing them.</summary>
    public static int LineCount(NftOwnedState owned, bool withAddresses = false)
    {
        var lines = 0;
        if (owned.Exists)
        {
            lines += 2;
            foreach (var block in owned.Blocks)
            {
                lines += 2 + block.Lines.Count;
                if (block.Kind == "map" && block.Name == NftRules.MapName && owned.Elements.Count > 0) lines += 2 + owned.Elements.Count;
            }
        }
        if (withAddresses && owned.Addresses.Count > 0) lines += 1 + owned.Addresses.Count;
        return lines;
    }

    /// <summary>
    /// Replaces the table's whole content in one transaction: "add" makes sure there is a table to delete, so the same
    /// text works on a router that has none, and nothing in between is ever visible to a packet.
    /// </summary>
    public static string Replace(string table, NftOwnedState desired) =>
        $"add table ip {table}\ndelete table ip {table}\n" + Table(table, desired);

    /// <summary>Only the elements that change, in one transaction: deletions first, so a changed mapping can be re-added.</summary>
    public static string ChangeElements(string table, IReadOnlyList<SnatMapping> remove, IReadOnlyList<SnatMapping> add)
    {
        var text = new StringBuilder();
        if (remove.Count > 0)
        {
            text.Append("delete element ip ").Append(table).Append(' ').Append(NftRules.MapName).Append(" {\n");
            foreach (var element in remove) AppendKey(text.Append('\t'), element).Append(",\n");
            text.Append("}\n");
        }
        if (add.Count > 0)
        {
            text.Append("add element ip ").Append(table).Append(' ').Append(NftRules.MapName).Append(" {\n");
            foreach (var element in add) AppendElement(text.Append('\t'), element).Append(",\n");
            text.Append("}\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// Hand-written rules in other tables: the taken-over ones deleted by their handle (a table changed meanwhile fails
    /// the whole transaction rather than delete another rule), and the ones an undo puts back inserted at their old
    /// places, in ascending order so each lands where it was.
    /// </summary>
    public static string HandWritten(IReadOnlyList<NftForeignRule> delete, IReadOnlyList<NftForeignRule> reinstate, NftForeign live)
    {
        var text = new StringBuilder();
        foreach (var rule in delete)
            text.Append("delete rule ").Append(Checked(rule).ChainAddress).Append(" handle ").Append(rule.Handle).Append('\n');
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in reinstate.OrderBy(r => r.ChainAddress, StringComparer.Ordinal).ThenBy(r => r.Index))
        {
            var count = counts.TryGetValue(rule.ChainAddress, out var known)
                ? known
                : live.RulesIn(rule.ChainAddress) - delete.Count(d => d.ChainAddress == rule.ChainAddress);
            text.Append(rule.Index < count ? "insert rule " : "add rule ").Append(Checked(rule).ChainAddress);
            if (rule.Index < count) text.Append(" index ").Append(rule.Index);
            text.Append(' ').Append(rule.Body).Append('\n');
            counts[rule.ChainAddress] = count + 1;
        }
        return text.ToString();
    }

    /// <summary>A rule read from the kernel or a stored revision reaches an nft file only with plain names and a body that cannot end the line.</summary>
    private static NftForeignRule Checked(NftForeignRule rule) =>
        rule.Family is "ip" or "inet" && NftNames.IsPlain(rule.Table) && NftNames.IsPlain(rule.Chain)
            && !rule.Body.Any(c => char.IsControl(c) || c is ';' or '#' or '{' or '}')
            ? rule
            : throw new InvalidOperationException($"Refusing to write a hand-written rule that is not a plain mapping: {rule.Text}");
}
