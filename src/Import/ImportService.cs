using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Import;

public sealed record ImportOutcome(string Message, IReadOnlyList<string> Notes);

/// <summary>
/// Takes what the router already does into the inventory: hand-written per-client SNAT rules on first run (import),
/// or a drifted kernel accepted as the new truth (adopt). Neither changes the kernel; the next apply, previewed and
/// snapshotted like any other, replaces the hand-written rules with the owned chain.
/// </summary>
public sealed class ImportService(
    IDbContextFactory<AppDbContext> dbFactory,
    IFirewallBackend backend,
    ApplyGate gate,
    RevisionStore revisions,
    InventoryStore inventory,
    SettingsService settingsService,
    TimeProvider clock)
{
    public async Task<ImportProposal> ScanAsync(CancellationToken ct = default) =>
        ImportPlanner.Scan(await inventory.CaptureAsync(ct), await backend.ReadAsync(ct));

    public async Task<ImportOutcome> ImportAsync(IReadOnlyCollection<string> ruleLines, bool useSuggestedSettings, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var live = await backend.ReadAsync(ct);
        var proposal = ImportPlanner.Scan(await inventory.CaptureAsync(ct), live);
        if (useSuggestedSettings && (proposal.SuggestedLanSubnet is not null || proposal.SuggestedWanInterface is not null))
        {
            // Through the settings service, so the suggestion is validated (and refused with a message) like a typed one.
            var settings = await settingsService.GetAsync(ct);
            await settingsService.UpdateAsync(new SettingsDraft
            {
                WanInterface = proposal.SuggestedWanInterface ?? settings.WanInterface,
                LanSubnet = (proposal.SuggestedLanSubnet ?? settings.LanSubnet).ToString(),
                ManageMasquerade = settings.ManageMasquerade,
                WatchVpnUsers = settings.WatchVpnUsers,
            }, actor, ct);
        }
        await using var _ = await gate.EnterAsync(actor.Name, "import", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var before = await inventory.CaptureAsync(db, ct);
        var (imported, notes) = ImportPlanner.Import(before, await backend.ReadAsync(ct), ruleLines);
        await inventory.ReplaceAsync(db, imported, ct);
        var added = imported.Assignments.Count - before.Assignments.Count;
        db.Record(clock, actor.Name, AuditActions.Import, "Hand-written rules",
            $"{added} assignment(s) imported from {ruleLines.Count} rule(s)" + (notes.Count > 0 ? "; " + string.Join(" ", notes) : ""));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ImportOutcome($"Imported {added} assignment(s). Review them, then preview and apply: the apply replaces the hand-written rules with RouterAdmin's chain.", notes);
    }

    /// <summary>
    /// Accepts the drifted kernel: the inventory is made to describe it, and a revision records the live state as the new
    /// baseline, so the drift warning ends. Whatever the inventory now wants beyond that shows as pending changes.
    /// </summary>
    public async Task<ImportOutcome> AdoptAsync(string reason, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        if (string.IsNullOrWhiteSpace(reason))
            throw InvalidInput.For("Reason", "Say why: a reason is required, so the history explains the change.");
        await using var _ = await gate.EnterAsync(actor.Name, "adopt", clock, ct);
        var live = await backend.ReadAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var before = await inventory.CaptureAsync(db, ct);
        var (adopted, notes) = ImportPlanner.Adopt(before, live);
        await inventory.ReplaceAsync(db, adopted, ct);
        var changes = InventoryComparer.Describe(before, adopted);
        var revision = await revisions.NewAsync(new RevisionRecord(RevisionKind.Adopt, actor.Name, reason.Trim(), null,
            live, live.Owned, live.Owned, adopted, "", [], 0, 0), RevisionStatus.Applied, ct);
        revision.Outcome = $"The live state became the baseline; nothing ran on the router. The inventory changed in {changes.Count} way(s)"
            + (changes.Count == 0 ? "." : ": " + string.Join("; ", changes.Take(50)) + (changes.Count > 50 ? "; …" : ""));
        db.Revisions.Add(revision);
        db.Record(clock, actor.Name, AuditActions.Adopt, "Live router state", $"{reason.Trim()}: {changes.Count} inventory change(s)");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ImportOutcome($"Adopted the live state as revision {revision.Id}: {changes.Count} inventory change(s).", [.. changes, .. notes]);
    }
}
