namespace RouterAdmin.Refusals;

/// <summary>Problems with what the administrator typed, keyed by the field (the draft's property name) they belong to.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public bool IsEmpty => _byField.Count == 0;
    public IReadOnlyDictionary<string, List<string>> ByField => _byField;

    /// <summary>Every message, field by field, in the order they were added.</summary>
    public IEnumerable<string> Messages => _byField.Values.SelectMany(m => m);

    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var messages))
            _byField[field] = messages = [];
        messages.Add(message);
    }

    public void AddRange(ValidationErrors other)
    {
        foreach (var (field, messages) in other.ByField)
            foreach (var message in messages) Add(field, message);
    }

    public bool Has(string field) => _byField.ContainsKey(field);

    public string? For(string field) => _byField.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public void Clear(string field) => _byField.Remove(field);

    public void Clear() => _byField.Clear();

    public override string ToString() =>
        string.Join("; ", _byField.Select(pair => $"{pair.Key}: {string.Join(" ", pair.Value)}"));
}
