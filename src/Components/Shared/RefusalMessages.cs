using MudBlazor;
using RouterAdmin.Refusals;

namespace RouterAdmin.Components.Shared;

/// <summary>The one way a page tells the administrator why something was refused.</summary>
public static class RefusalMessages
{
    /// <summary>What to show, one line a message: each field's messages for bad input, else the refusal's own message.</summary>
    public static IReadOnlyList<string> Lines(Refusal refusal) =>
        refusal is InvalidInput invalid ? invalid.Errors.Messages.ToArray() : [refusal.Message];

    public static Severity SeverityOf(Refusal refusal) => refusal is Forbidden ? Severity.Error : Severity.Warning;

    /// <summary>
    /// Bad input goes next to its fields when the form has <paramref name="fieldErrors"/> (the form keeps what was
    /// typed) with a short snackbar; anything else becomes a snackbar that says why.
    /// </summary>
    public static void Show(this ISnackbar snackbar, Refusal refusal, ValidationErrors? fieldErrors = null)
    {
        if (refusal is InvalidInput invalid && fieldErrors is not null)
        {
            fieldErrors.AddRange(invalid.Errors);
            snackbar.Add("Nothing was saved: check the highlighted fields.", Severity.Warning);
            return;
        }
        snackbar.Add(string.Join(" ", Lines(refusal)), SeverityOf(refusal));
    }
}
