using System.Text;

namespace RouterAdmin.Firewall.Model;

/// <summary>
/// How iptables-save and iptables-restore split a rule into words. Both the reader (parsing iptables-save) and the
/// writer (rendering restore input) go through here, so a rule survives the round trip unchanged.
/// </summary>
public static class IptablesSyntax
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inQuotes)
            {
                // iptables-save escapes with a backslash whatever it must inside quotes ("it\\'s", "a \\"b\\""), and
                // iptables-restore reads a backslash as "take the next character literally"; so does this.
                if (c == '\\' && i + 1 < line.Length) current.Append(line[++i]);
                else if (c == '"') inQuotes = false;
                else current.Append(c);
            }
            else if (c == '"') { inQuotes = true; inWord = true; }
            else if (c is ' ' or '\t')
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
            }
            else { current.Append(c); inWord = true; }
        }
        if (inQuotes) throw new FormatException($"Unterminated quote in: {line}");
        if (inWord) words.Add(current.ToString());
        return words;
    }

    /// <summary>Quotes a word the way iptables-save does: only when it holds a space, a quote or a backslash.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => c is ' ' or '"' or '\\' or '\t' or '\''))
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
