namespace RouterAdmin.Refusals;

/// <summary>
/// A request the console will not carry out, with a message that says why and what to do; nothing was changed.
/// Services throw these; pages map them once (<c>RefusalMessages</c>) and the API once (<c>RefusalProblems</c>).
/// </summary>
public abstract class Refusal(string message) : Exception(message);

/// <summary>What was typed is not acceptable: the messages are keyed by the field they belong to, so a form keeps the input.</summary>
public sealed class InvalidInput(ValidationErrors errors) : Refusal("The input was refused: " + errors)
{
    public ValidationErrors Errors { get; } = errors;

    public static InvalidInput For(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return new InvalidInput(errors);
    }
}

/// <summary>The request cannot be done as asked in the current state (not a typing mistake): someone else got there first, or it would break something.</summary>
public class Conflict(string message) : Refusal(message);

/// <summary>The actor may not do this (a viewer asking for a change).</summary>
public sealed class Forbidden(string message) : Refusal(message);

/// <summary>The router or the inventory moved since the preview the administrator looked at; an apply must be previewed again.</summary>
public sealed class OutdatedPreview() : Refusal("The router or the inventory changed since this preview was made; nothing was applied. Review the new diff and apply again.");

/// <summary>Too many attempts just now (password checks): nothing was checked; wait and try again (429 in the API).</summary>
public sealed class TooManyAttempts(string message) : Refusal(message);
