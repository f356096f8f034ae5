using System.Security.Cryptography;
using System.Text;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Planning;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;

namespace RouterAdmin.Firewall.Apply;

/// <summary>What one change puts in place: the owned state, and the inventory recorded with it (and restored, for a rollback).</summary>
public sealed record ApplyTarget(RevisionKind Kind, IOwnedFirewall Desired, InventorySnapshot Inventory, bool RestoreInventory, int? TargetRevisionId)
{
    /// <summary>The plan <see cref="Desired"/> was rendered from, when it was planned (not taken from a stored state).</summary>
    public FirewallPlan? Plan { get; init; }

    /// <summary>A hash of the inventory a rollback overwrites, taken when the target is planned.</summary>
    public string? OverwrittenInventoryStamp { get; init; }
}

/// <summary>
/// Works out what each kind of change wants on the router: an apply plans the inventory, a rollback plans a revision's
/// inventory, a re-apply and the boot restore take a revision's state, an automatic rollback the state its snapshot found.
/// </summary>
public sealed class ApplyTargets(InventoryStore inventoryStore, IFirewallBackend backend, RevisionStore revisions)
{
    // The preview and the apply after it plan the same capture (the store hands out one snapshot while nothing is
    // written): the planner and the rendering are pure, so the plan of that snapshot and its rendering are kept
    // instead of planning and rendering 10,000 mappings again; the same wanted state also lets the engine see that
    // the preview's change still holds. One reference, swapped whole, so a reader on another thread never pairs one
    // capture with another's plan.
    private sealed record Planned(InventorySnapshot Inventory, FirewallPlan Plan, IOwnedFirewall Desired);
    private Planned? _lastPlan;

    /// <param name="captured">Told the inventory as soon as it is captured, before it is planned.</param>
    public async Task<ApplyTarget> ApplyAsync(CancellationToken ct, Action<InventorySnapshot>? captured = null)
    {
        var inventory = await CaptureAsync(ct);
        captured?.Invoke(inventory);
        if (Volatile.Read(ref _lastPlan) is not { } planned || !ReferenceEquals(planned.Inventory, inventory))
        {
            var plan = FirewallPlanner.Plan(inventory);
            Volatile.Write(ref _lastPlan, planned = new Planned(inventory, plan, backend.Render(plan)));
        }
        return new ApplyTarget(RevisionKind.Apply, planned.Desired, inventory, false, null) { Plan = planned.Plan };
    }

    public async Task<ApplyTarget> RollbackAsync(int revisionId, CancellationToken ct)
    {
        var revision = await revisions.FindAsync(revisionId, ct)
            ?? throw new Conflict($"Revision {revisionId} does not exist.");
        if (!RevisionStore.WasInEffect(revision.Status))
            throw new Conflict($"Revision {revisionId} was never in effect ({revision.Status.Describe()}); roll back to one that was.");
        var inventory = InventorySnapshot.FromJson((await revisions.SnapshotOfAsync(revisionId, ct)).InventoryJson);
        // A rollback replaces the whole inventory: whatever was edited after its preview would vanish unseen.
        var current = await CaptureAsync(ct);
        var plan = FirewallPlanner.Plan(inventory);
        return new ApplyTarget(RevisionKind.Rollback, backend.Render(plan), inventory, true, revisionId)
        {
            Plan = plan,
            OverwrittenInventoryStamp = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(current.ToJson())))[..16],
        };
    }

    public async Task<ApplyTarget> ReapplyAsync(CancellationToken ct)
    {
        var last = await revisions.LastInEffectAsync(before: null, includeAwaiting: true, ct)
            ?? throw new Conflict("Nothing has been applied yet, so there is nothing to re-apply.");
        return new ApplyTarget(RevisionKind.Reapply, await revisions.StateAfterAsync(last.Id, ct), await CaptureAsync(ct), false, last.Id);
    }

    /// <summary>
    /// Undoing a change that was not confirmed in time: the kernel goes back exactly as the revision's snapshot found it,
    /// and the inventory back to the revision before (when there is one), so the unconfirmed change is not re-applied.
    /// </summary>
    public async Task<ApplyTarget> RevertAsync(Revision unconfirmed, CancellationToken ct)
    {
        var previous = await revisions.LastInEffectAsync(before: unconfirmed.Id, includeAwaiting: false, ct);
        var snapshot = await revisions.SnapshotOfAsync(unconfirmed.Id, ct);
        var current = await CaptureAsync(ct);
        // The inventory goes back too, unless someone edited it during the window: those edits were never applied and
        // would vanish unseen, so then only the kernel goes back and the edits show as pending changes.
        var untouched = current.ToJson() == snapshot.InventoryJson;
        var inventory = previous is not null && untouched ? InventorySnapshot.FromJson((await revisions.SnapshotOfAsync(previous.Id, ct)).InventoryJson) : current;
        return new ApplyTarget(RevisionKind.AutoRollback, backend.Load(snapshot.BeforeStateJson), inventory, previous is not null && untouched, unconfirmed.Id);
    }

    /// <summary>The boot-time restore: the confirmed revision's rules and addresses, its inventory recorded with them.</summary>
    public async Task<ApplyTarget> RestoreAsync(Revision confirmed, CancellationToken ct)
    {
        var snapshot = await revisions.SnapshotOfAsync(confirmed.Id, ct);
        return new ApplyTarget(RevisionKind.BootRestore, backend.Load(snapshot.AfterStateJson), InventorySnapshot.FromJson(snapshot.InventoryJson), false, confirmed.Id);
    }

    private Task<InventorySnapshot> CaptureAsync(CancellationToken ct) => inventoryStore.CaptureAsync(ct);
}
