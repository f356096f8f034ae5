namespace RouterAdmin.Inventory;

/// <summary>Problems with what the administrator typed, keyed by the field (the draft's property name) they belong to.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public bool IsEmpty => _byField.Count == 0;
    public IReadOnlyDictionary<string, List<string>> ByField => _byField;

    public void Add(string field, string message)
    {
        if (!_byField.TryGetValue(field, out var messages))
            _byField[field] = messages = [];
        messages.Add(message);
    }

    public bool Has(string field) => _byField.ContainsKey(field);

    public string? For(string field) => _byField.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public void Clear(string field) => _byField.Remove(field);

    public void Clear() => _byField.Clear();

    public override string ToString() =>
        string.Join("; ", _byField.Select(pair => $"{pair.Key}: {string.Join(" ", pair.Value)}"));
}

/// <summary>Thrown by the inventory service when input is refused; nothing was saved.</summary>
public sealed class InventoryValidationException(ValidationErrors errors)
    : Exception("The input was refused: " + errors)
{
    public ValidationErrors Errors { get; } = errors;

    public static InventoryValidationException For(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return new InventoryValidationException(errors);
    }
}

/// <summary>Thrown when an operation cannot be done as asked (not a typing mistake): the message says why and what to do.</summary>
public class InventoryConflictException(string message) : Exception(message);

/// <summary>Every external address is taken for that endpoint: the way out is to add one (or free one).</summary>
public sealed class NoFreeAddressException(string endpointName, int total)
    : InventoryConflictException(total == 0
        ? $"No external address exists yet, so none is free for {endpointName}. Add an external address first."
        : $"No external address is free for {endpointName}: all {total} are in use. Add an external address, or free one by unassigning.")
{
    public string EndpointName { get; } = endpointName;
}
