namespace RouterAdmin.History;

/// <summary>What the retention policy needs to know of a revision.</summary>
public sealed record RevisionFacts(int Id, RevisionStatus Status, DateTimeOffset StartedAt, int? RollbackTargetId);

/// <summary>
/// Which revisions the history keeps: every one of the last <see cref="HistoryOptions.KeepFor"/> and the newest
/// <see cref="HistoryOptions.KeepLast"/>, and, however old, every one something still depends on: the one in effect (the
/// drift baseline and what <c>restore</c> puts back at boot), a change in progress (crash recovery reads its snapshot) or
/// awaiting confirmation, the state such a change rolls back to, and the revision a kept rollback went back to. Pure, so
/// the rules are tested on their own.
/// </summary>
public static class RetentionPolicy
{
    public static IReadOnlySet<int> Keep(IReadOnlyList<RevisionFacts> revisions, HistoryOptions options, DateTimeOffset now)
    {
        var newestFirst = revisions.OrderByDescending(r => r.Id).ToArray();
        var keep = new HashSet<int>(newestFirst.Take(options.KeepLast).Select(r => r.Id));
        keep.UnionWith(newestFirst.Where(r => r.StartedAt >= now - options.KeepFor).Select(r => r.Id));
        keep.UnionWith(newestFirst.Where(r => r.Status is RevisionStatus.InProgress or RevisionStatus.AwaitingConfirmation).Select(r => r.Id));

        // What RevisionStore.LastInEffectAsync finds, with and without a change awaiting confirmation.
        static bool InEffect(RevisionFacts r) => r.Status is RevisionStatus.Applied or RevisionStatus.RevertFailed;
        if (newestFirst.FirstOrDefault(InEffect) is { } inEffect) keep.Add(inEffect.Id);
        if (newestFirst.FirstOrDefault(r => r.Status == RevisionStatus.Applied) is { } confirmed) keep.Add(confirmed.Id);
        foreach (var awaiting in newestFirst.Where(r => r.Status == RevisionStatus.AwaitingConfirmation))
            if (newestFirst.FirstOrDefault(r => r.Id < awaiting.Id && InEffect(r)) is { } baseline) keep.Add(baseline.Id);

        // A kept rollback's page names the revision it went back to; follow the chain until nothing new is added.
        var byId = revisions.ToDictionary(r => r.Id);
        var pending = new Stack<int>(keep);
        while (pending.TryPop(out var id))
            if (byId[id].RollbackTargetId is { } target && byId.ContainsKey(target) && keep.Add(target))
                pending.Push(target);
        return keep;
    }
}
