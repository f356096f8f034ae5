namespace RouterAdmin.History;

public static class RevisionText
{
    public static string Describe(this RevisionStatus status) => status switch
    {
        RevisionStatus.InProgress => "in progress",
        RevisionStatus.Applied => "applied",
        RevisionStatus.AwaitingConfirmation => "awaiting confirmation",
        RevisionStatus.Reverted => "reverted (not confirmed)",
        RevisionStatus.RevertFailed => "not confirmed, rollback FAILED: still in effect",
        RevisionStatus.Failed => "failed, previous state restored",
        RevisionStatus.FailedNotRestored => "failed, previous state NOT restored",
        RevisionStatus.Interrupted => "interrupted, previous state restored",
        _ => status.ToString(),
    };

    public static string Describe(this RevisionKind kind, int? target) => kind switch
    {
        RevisionKind.Rollback => $"rollback to #{target}",
        RevisionKind.AutoRollback => $"automatic rollback to #{target}",
        RevisionKind.BootRestore => $"boot restore of #{target}",
        RevisionKind.Reapply => $"re-apply of #{target}",
        RevisionKind.Adopt => "adopt the live state",
        _ => "apply",
    };
}
