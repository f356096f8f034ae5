using RouterAdmin.Firewall.Backends;

namespace RouterAdmin.Firewall.Apply;

/// <summary>
/// What the apply after a preview takes over from it instead of working it out again at 10,000 mappings: the change
/// itself, and the texts its revision keeps, written while the preview is worked out and read.
/// </summary>
public sealed class ChangeReuse(IFirewallBackend backend, ILogger<ChangeReuse> logger)
{
    /// <summary>The last change worked out for a preview or an apply, and the wanted state and read it came from.</summary>
    private sealed record Compared(IOwnedFirewall Desired, ILiveFirewall Live, IBackendChange Change);

    private Compared? _last;

    /// <summary>
    /// The backend's comparison, kept for the next caller with the same two objects: the apply right after a preview
    /// gets the same wanted state (ApplyTargets) and, when nothing on the router moved, the same read (backends hand out
    /// a read again while they can tell it still holds), so the change the administrator saw is the one that runs.
    /// Compare is pure, so equal inputs are equal answers.
    /// </summary>
    public IBackendChange Compare(IOwnedFirewall desired, ILiveFirewall live)
    {
        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Desired, desired) && ReferenceEquals(last.Live, live)) return last.Change;
        var change = backend.Compare(desired, live);
        Volatile.Write(ref _last, new Compared(desired, live, change));
        return change;
    }

    // What a previewed change's revision keeps (the inventory, the wanted state, the state it undoes to, the router's
    // text: megabytes at 10,000 clients) is written on the other core as soon as each exists, while the preview is
    // worked out and read. Each is written once and kept on its object, so the apply that follows finds it written, or
    // waits for the writing in progress; an apply of anything else writes its own.

    /// <summary>Starts writing the revision's copy of the inventory, as soon as it is captured.</summary>
    public void WriteAhead(Inventory.InventorySnapshot inventory) => InBackground(() => inventory.ToJson());

    /// <summary>Starts writing the wanted state's stored form, as soon as it is rendered.</summary>
    public void WriteAhead(IOwnedFirewall desired) => InBackground(() => desired.ToJson());

    /// <summary>Starts writing the state a previewed change undoes to, and the router's text as it found it.</summary>
    public void WriteAhead(IBackendChange change)
    {
        if (change.InSync) return;
        InBackground(() => (change.Undo.ToJson(), change.Live.Text));
    }

    private void InBackground(Func<object> write) =>
        _ = Task.Run(write).ContinueWith(t => logger.LogWarning(t.Exception, "Writing a previewed change's revision texts ahead failed; the apply writes them itself"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
