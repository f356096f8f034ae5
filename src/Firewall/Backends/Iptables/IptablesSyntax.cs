using System.Text;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>
/// How iptables-save and iptables-restore split a rule into words. Both the reader (parsing iptables-save) and the
/// writer (rendering restore input) go through here, so a rule survives the round trip unchanged.
/// </summary>
public static class IptablesSyntax
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(" \"\\\t'");

    public static IReadOnlyList<string> Split(string line)
    {
        // Reading 10,000 rules back after every apply makes this a hot path: words are sliced out of the line, and
        // only a quoted word with a backslash in it is rebuilt character by character.
        var words = new List<string>(16);
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i == line.Length) break;
            var start = i;
            var simple = true;
            var quoted = false;
            while (i < line.Length && (quoted || line[i] is not (' ' or '\t')))
            {
                if (line[i] == '"') { quoted = !quoted; simple = false; }
                else if (line[i] == '\\' && quoted) { simple = false; i++; }
                i++;
            }
            if (quoted) throw new FormatException($"Unterminated quote in: {line}");
            var length = i - start;
            words.Add(simple ? line.Substring(start, length)
                // The usual quoted word, "routeradmin: Alice to VPN", has no escapes: slice it out between the quotes.
                : length >= 2 && line[start] == '"' && line[i - 1] == '"' && line.AsSpan(start + 1, length - 2).IndexOfAny('"', '\\') < 0
                    ? line.Substring(start + 1, length - 2)
                    : Unquote(line.AsSpan(start, length)));
        }
        return words;
    }

    private static string Unquote(ReadOnlySpan<char> word)
    {
        var text = new StringBuilder(word.Length);
        var inQuotes = false;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            // iptables-save escapes with a backslash whatever it must inside quotes ("it\\'s", "a \\"b\\""), and
            // iptables-restore reads a backslash as "take the next character literally"; so does this.
            if (inQuotes && c == '\\' && i + 1 < word.Length) text.Append(word[++i]);
            else if (c == '"') inQuotes = !inQuotes;
            else text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>Quotes a word the way iptables-save does: only when it holds a space, a quote or a backslash.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.AsSpan().IndexOfAny(NeedsQuotes) < 0)
            return word;
        return "\"" + word.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>
    /// A line break inside a word would end the restore line early and let the rest be read as a new command
    /// (a COMMIT, a <c>*filter</c>, a rule). No legitimate word has one, so refuse rather than escape.
    /// </summary>
    public static bool IsSafeWord(string word) =>
        word.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') < 0 && word.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') < 0;
}
