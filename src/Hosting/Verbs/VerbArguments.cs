namespace RouterAdmin.Hosting.Verbs;

/// <summary>
/// A verb's words after its name: positional ones ("clients add"), options with a value (--name Ann) and flags
/// (--json). Configuration keys (--RouterAdmin:…=…) belong to the host and are passed over.
/// </summary>
internal sealed class VerbArguments
{
    private static readonly HashSet<string> Flags = ["--json", "--disabled", "--bind", "--dry-run", "--skip-refused", "--yes"];

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public VerbArguments(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (word.StartsWith("--RouterAdmin", StringComparison.OrdinalIgnoreCase)) continue;
            if (Flags.Contains(word)) _flags.Add(word);
            else if (word.StartsWith("--", StringComparison.Ordinal))
                _options[word] = i + 1 < args.Count ? args[++i] : throw new VerbUsageException($"{word} needs a value.");
            else positional.Add(word);
        }
        Positional = positional;
    }

    public IReadOnlyList<string> Positional { get; }

    public bool Json => Has("--json");

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string option) => _options.GetValueOrDefault(option);

    public string Required(string option, string what) =>
        Value(option) is { Length: > 0 } value ? value : throw new VerbUsageException($"{what} needs {option}.");

    public string At(int index, string what) =>
        index < Positional.Count ? Positional[index] : throw new VerbUsageException($"{what}.");
}

/// <summary>The verb was called wrongly: the message says how to call it (exit code 2).</summary>
internal sealed class VerbUsageException(string message) : Exception(message);
