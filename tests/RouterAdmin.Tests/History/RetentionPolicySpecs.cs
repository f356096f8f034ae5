using RouterAdmin.History;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>Which revisions the history keeps, decided on their facts alone.</summary>
public sealed class RetentionPolicySpecs
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HistoryOptions KeepTwoForADay = new() { KeepLast = 2, KeepFor = TimeSpan.FromDays(1) };

    private static RevisionFacts Old(int id, RevisionStatus status = RevisionStatus.Applied, int? target = null) =>
        new(id, status, Now.AddDays(-30).AddMinutes(id), target);

    private static int[] Kept(params RevisionFacts[] revisions) => [.. RetentionPolicy.Keep(revisions, KeepTwoForADay, Now).Order()];

    [Fact]
    public void The_defaults_keep_the_last_90_days_and_the_newest_200()
    {
        var options = new HistoryOptions();
        Assert.Equal((TimeSpan.FromDays(90), 200), (options.KeepFor, options.KeepLast));
        var revisions = Enumerable.Range(1, 500).Select(i => new RevisionFacts(i, RevisionStatus.Applied, Now.AddDays(-400 + i * 0.5), null)).ToArray();

        var kept = RetentionPolicy.Keep(revisions, options, Now);

        // 1..300 are older than 90 days (day −400 + i/2 < −90 ⇔ i < 620): the newest 200 are 301..500.
        Assert.Equal(Enumerable.Range(301, 200), kept.Order());
    }

    [Fact]
    public void Revisions_of_the_window_are_kept_however_many_there_are()
    {
        var revisions = Enumerable.Range(1, 10).Select(i => new RevisionFacts(i, RevisionStatus.Failed, Now.AddHours(-i), null)).ToArray();

        Assert.Equal(10, RetentionPolicy.Keep(revisions, KeepTwoForADay, Now).Count);
    }

    [Fact]
    public void The_newest_revision_in_effect_is_kept_however_old_and_however_many_failed_after_it()
    {
        Assert.Equal([2, 4, 5], Kept(Old(1), Old(2), Old(3, RevisionStatus.Failed), Old(4, RevisionStatus.Failed), Old(5, RevisionStatus.Failed)));
    }

    [Fact]
    public void A_change_whose_rollback_failed_is_in_effect_and_kept_and_so_is_the_last_confirmed_one_that_restore_puts_back()
    {
        Assert.Equal([2, 3, 5, 6], Kept(Old(1), Old(2), Old(3, RevisionStatus.RevertFailed), Old(4, RevisionStatus.Failed), Old(5, RevisionStatus.Failed), Old(6, RevisionStatus.Failed)));
    }

    [Fact]
    public void A_change_awaiting_confirmation_is_kept_with_the_state_it_rolls_back_to()
    {
        Assert.Equal([3, 4, 5, 6], Kept(Old(1), Old(2), Old(3), Old(4, RevisionStatus.AwaitingConfirmation), Old(5, RevisionStatus.Failed), Old(6, RevisionStatus.Failed)));
    }

    [Fact]
    public void A_change_in_progress_is_kept_for_crash_recovery()
    {
        Assert.Equal([1, 4, 5], Kept(Old(1, RevisionStatus.InProgress), Old(2), Old(3), Old(4), Old(5)));
    }

    [Fact]
    public void A_kept_rollback_keeps_the_revision_it_went_back_to_and_that_ones_target_too()
    {
        Assert.Equal([2, 3, 5, 6], Kept(Old(1), Old(2), Old(3, RevisionStatus.Applied, target: 2), Old(4), Old(5, RevisionStatus.Applied, target: 3), Old(6)));
    }

    [Fact]
    public void A_rollback_to_a_revision_already_gone_keeps_nothing_more()
    {
        Assert.Equal([4, 5], Kept(Old(3), Old(4), Old(5, RevisionStatus.Applied, target: 1)));
    }
}
