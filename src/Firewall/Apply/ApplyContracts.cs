namespace RouterAdmin.Firewall.Apply;

/// <summary>The steps of an apply, in the order they run; the UI shows the current one.</summary>
public enum ApplyStep
{
    Planning,
    Snapshot,
    BindAddresses,
    Restore,
    UnbindAddresses,
    Verify,
    ResetConntrack,
    Record,
    RestoringSnapshot,
}

public sealed record ApplyProgress(ApplyStep Step, string Description);

/// <param name="ExpectedFingerprint">The fingerprint of the preview the administrator looked at: anything else is refused.</param>
/// <param name="ConfirmWithin">When set, the change is undone automatically unless confirmed within this time.</param>
public sealed record ApplyRequest(Security.Actor Actor, string Reason, string ExpectedFingerprint, TimeSpan? ConfirmWithin = null);

public enum ApplyResultKind
{
    /// <summary>The kernel now holds the plan.</summary>
    Applied,
    /// <summary>Nothing needed doing: the kernel already matched.</summary>
    NothingToDo,
    /// <summary>Refused before touching anything (the state moved since the preview, or the request was invalid).</summary>
    Refused,
    /// <summary>A step failed; the previous state was put back.</summary>
    Failed,
}

public sealed record ApplyResult(ApplyResultKind Kind, string Message, int? RevisionId = null, string? FailedStep = null, string? Error = null)
{
    public bool Succeeded => Kind is ApplyResultKind.Applied or ApplyResultKind.NothingToDo;

    /// <summary>For a refused change, why, in the one refusal model (what the API turns into problem details).</summary>
    /// <remarks>Not in the JSON: it is an exception (a failed apply's 500 body would not serialize); its words are in <see cref="Message"/>.</remarks>
    [System.Text.Json.Serialization.JsonIgnore]
    public Refusals.Refusal? Refusal { get; init; }

    public static ApplyResult Refused(Refusals.Refusal refusal) =>
        new(ApplyResultKind.Refused, refusal is Refusals.InvalidInput invalid ? string.Join(" ", invalid.Errors.Messages) : refusal.Message) { Refusal = refusal };
}

/// <summary>The apply that is running right now, if any, for every browser session to see.</summary>
public sealed record RunningApply(string Actor, string Kind, DateTimeOffset StartedAt, ApplyProgress Progress);

public static class ApplyStepText
{
    /// <summary>The step as the administrator (and the history's "failed step") names it; the transaction by its tool.</summary>
    public static string Describe(this ApplyStep step, string transactionTool) => step switch
    {
        ApplyStep.BindAddresses => "bind addresses",
        ApplyStep.Restore => transactionTool,
        ApplyStep.UnbindAddresses => "unbind addresses",
        ApplyStep.Verify => "verify",
        ApplyStep.ResetConntrack => "conntrack reset",
        ApplyStep.Record => "record",
        ApplyStep.Snapshot => "snapshot",
        ApplyStep.RestoringSnapshot => "restore snapshot",
        _ => "planning",
    };
}
