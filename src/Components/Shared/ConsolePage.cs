using Microsoft.AspNetCore.Components;
using MudBlazor;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Components.Shared;

/// <summary>
/// What every page that changes something needs: the signed-in actor, and one way to run a change and tell the
/// administrator how it went. Bad input comes back as field errors (the form keeps what was typed); a conflict or a
/// refusal becomes a snackbar that says why.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [Inject] protected ISnackbar Snackbar { get; set; } = default!;
    [Inject] protected CurrentUser CurrentUser { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [Inject] protected IDialogService Dialogs { get; set; } = default!;

    protected bool Busy { get; private set; }

    /// <returns>True when the change went through.</returns>
    protected async Task<bool> ChangeAsync(Func<Actor, Task> change, string? success, ValidationErrors? fieldErrors = null)
    {
        if (Busy) return false;
        Busy = true;
        try
        {
            await change(await CurrentUser.GetActorAsync());
            if (success is not null) Snackbar.Add(success, Severity.Success);
            return true;
        }
        catch (Refusal refusal)
        {
            Snackbar.Show(refusal, fieldErrors);
        }
        finally
        {
            Busy = false;
        }
        return false;
    }

    /// <summary>Asks before a change that takes other things with it, naming each of them.</summary>
    protected async Task<bool> ConfirmAsync(string title, string question, IReadOnlyList<string> consequences, string yes)
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Title, title },
            { d => d.Question, question },
            { d => d.Consequences, consequences },
            { d => d.YesText, yes },
        };
        var dialog = await Dialogs.ShowAsync<ConfirmDialog>(title, parameters,
            new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false };
    }
}
