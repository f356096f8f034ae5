namespace RouterAdmin.History;

public enum RevisionKind
{
    /// <summary>An administrator applied the inventory.</summary>
    Apply,
    /// <summary>An administrator rolled back to an earlier revision.</summary>
    Rollback,
    /// <summary>A confirmed apply was not confirmed in time (or the service restarted during the window) and was undone.</summary>
    AutoRollback,
    /// <summary>The boot-time <c>restore</c> verb put the last confirmed revision back on the kernel.</summary>
    BootRestore,
    /// <summary>Drift repaired: the last applied revision's state put back on the kernel, the inventory untouched.</summary>
    Reapply,
    /// <summary>Drift accepted: the live kernel state taken into the inventory; nothing ran on the kernel.</summary>
    Adopt,
}

public enum RevisionStatus
{
    /// <summary>Written before anything touches the kernel; still set after a restart means the process died mid-apply.</summary>
    InProgress,
    /// <summary>In effect and confirmed (or no confirmation was asked for).</summary>
    Applied,
    /// <summary>In effect, but undone automatically unless confirmed before <see cref="Revision.ConfirmDeadline"/>.</summary>
    AwaitingConfirmation,
    /// <summary>Was in effect while awaiting confirmation and has been undone.</summary>
    Reverted,
    /// <summary>Not confirmed in time, and undoing it failed: still in effect until someone acts.</summary>
    RevertFailed,
    /// <summary>A step failed; the kernel was put back as it was before the apply.</summary>
    Failed,
    /// <summary>A step failed and putting the previous state back failed too: the dashboard shows what the kernel holds.</summary>
    FailedNotRestored,
    /// <summary>The process died mid-apply and, at the next start, the kernel was found in its previous state.</summary>
    Interrupted,
}

/// <summary>
/// One attempt to change the kernel: what was there before (the snapshot), what was wanted, what ran, how it ended,
/// and the inventory it was planned from, so that rolling back to it restores the inventory too.
/// </summary>
public sealed class Revision
{
    public int Id { get; set; }
    public RevisionKind Kind { get; set; }
    public RevisionStatus Status { get; set; }
    public required string Actor { get; set; }
    public required string Reason { get; set; }
    public int? RollbackTargetId { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public required string Backend { get; set; }
    public string? Namespace { get; set; }

    /// <summary>The step that failed and what the kernel (or tool) said, when <see cref="Status"/> is Failed.</summary>
    public string? FailedStep { get; set; }
    public string? Error { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The large texts of the revision, kept in their own table so updating the revision's status stays cheap.</summary>
    public RevisionSnapshot Snapshot { get; set; } = null!;

    public DateTimeOffset? ConfirmDeadline { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
    public string? ConfirmedBy { get; set; }

    public int RulesAdded { get; set; }
    public int RulesRemoved { get; set; }
    public int ConntrackEntriesDeleted { get; set; }
}

/// <summary>
/// What a revision found and set out to do, in full: the snapshot taken before anything ran, the wanted state, the
/// inventory, and the exact commands. Written once, before the kernel is touched, and never updated.
/// </summary>
public sealed class RevisionSnapshot
{
    public int RevisionId { get; set; }

    /// <summary>The whole nat table as iptables-save printed it before the apply.</summary>
    public required string BeforeNatTable { get; set; }
    /// <summary>The owned part of the kernel before the apply (rules and bound addresses), JSON.</summary>
    public required string BeforeStateJson { get; set; }
    /// <summary>The owned part the apply set out to create, JSON.</summary>
    public required string AfterStateJson { get; set; }
    /// <summary>The inventory the wanted state was planned from, JSON.</summary>
    public required string InventoryJson { get; set; }
    public required string RestoreScript { get; set; }
    public required string CommandsText { get; set; }
}
