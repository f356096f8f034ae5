using Microsoft.AspNetCore.Components;
using MudBlazor;
using RouterAdmin.Inventory;
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
        catch (InventoryValidationException e) when (fieldErrors is not null)
        {
            foreach (var (field, messages) in e.Errors.ByField)
                foreach (var message in messages) fieldErrors.Add(field, message);
            Snackbar.Add("Nothing was saved: check the highlighted fields.", Severity.Warning);
        }
        catch (InventoryValidationException e)
        {
            Snackbar.Add(string.Join(" ", e.Errors.ByField.Values.SelectMany(m => m)), Severity.Warning);
        }
        catch (InventoryConflictException e)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        catch (UnauthorizedAccessException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
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
