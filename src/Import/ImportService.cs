using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
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
    LiveStateReader reader,
    ApplyEngine engine,
    IFirewallBackend backend,
    InventoryStore inventory,
    SettingsService settingsService,
    TimeProvider clock)
{
    public async Task<ImportProposal> ScanAsync(CancellationToken ct = default) =>
        ImportPlanner.Scan(await inventory.CaptureAsync(ct), await reader.ReadAsync(ct));

    public async Task<ImportOutcome> ImportAsync(IReadOnlyCollection<string> ruleLines, bool useSuggestedSettings, Actor actor, CancellationToken ct = default)
    {
        actor.EnsureCanEdit();
        var live = await reader.ReadAsync(ct);
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
            }, actor, ct);
        }
        await using var _ = await engine.Gate.EnterAsync(actor.Name, "import", clock, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var before = await inventory.CaptureAsync(db, ct);
        var (imported, notes) = ImportPlanner.Import(before, await reader.ReadAsync(ct), ruleLines);
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
        await using var _ = await engine.Gate.EnterAsync(actor.Name, "adopt", clock, ct);
        var live = await reader.ReadAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var before = await inventory.CaptureAsync(db, ct);
        var (adopted, notes) = ImportPlanner.Adopt(before, live);
        await inventory.ReplaceAsync(db, adopted, ct);
        var changes = InventoryComparer.Describe(before, adopted);
        var state = live.Owned.ToJson();
        var now = clock.GetUtcNow();
        var revision = new Revision
        {
            Kind = RevisionKind.Adopt,
            Status = RevisionStatus.Applied,
            Actor = actor.Name,
            Reason = reason.Trim(),
            StartedAt = now,
            FinishedAt = now,
            Backend = backend.Name,
            Namespace = backend.Namespace,
            Snapshot = new RevisionSnapshot
            {
                RestoreScript = "",
                CommandsText = "",
                BeforeStateJson = state,
                AfterStateJson = state,
                BeforeNatTable = live.NatTableText,
                InventoryJson = adopted.ToJson(),
            },
            Outcome = $"The live state became the baseline; nothing ran on the router. The inventory changed in {changes.Count} way(s)"
                + (changes.Count == 0 ? "." : ": " + string.Join("; ", changes.Take(50)) + (changes.Count > 50 ? "; …" : "")),
        };
        db.Revisions.Add(revision);
        db.Record(clock, actor.Name, AuditActions.Adopt, "Live router state", $"{reason.Trim()}: {changes.Count} inventory change(s)");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ImportOutcome($"Adopted the live state as revision {revision.Id}: {changes.Count} inventory change(s).", [.. changes, .. notes]);
    }
}
