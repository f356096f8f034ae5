using RouterAdmin.Firewall.Apply;
using RouterAdmin.Notifications;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Notifications;

/// <summary>A change awaiting confirmation is announced before its window closes, once, and not at all when confirmed in time.</summary>
public sealed class ConfirmationExpiringSpecs : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TestConsole _router = null!;

    public async ValueTask DisposeAsync()
    {
        if (_router is not null) await _router.DisposeAsync();
    }

    private async Task<int> ApplyAwaitingConfirmationAsync(string lan, string external)
    {
        var client = await _router.Clients.CreateAsync(Make.Client($"Client {lan}", lan), Actors.Admin, Ct);
        var vpn = (await _router.Store.CaptureAsync(Ct)).Endpoints.FirstOrDefault()?.Id
            ?? await _router.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        await _router.Addresses.CreateAsync(Make.External(external), Actors.Admin, Ct);
        await _router.Assignments.AssignFreeAsync(client, vpn, Actors.Admin, Ct);
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        var result = await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "new employee", preview.Fingerprint, TimeSpan.FromMinutes(2)), Ct);
        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        return result.RevisionId!.Value;
    }

    private readonly List<Notification> _warnings = [];

    /// <summary>The confirmation warnings raised so far (read off the queue the dispatcher would deliver from).</summary>
    private List<Notification> Warnings()
    {
        while (_router.Get<Notifier>().Queue.TryRead(out var notification))
            if (notification.Kind == NotificationKind.ConfirmationExpiring) _warnings.Add(notification);
        return _warnings;
    }

    [Fact]
    public async Task A_change_nobody_confirms_is_announced_one_minute_before_it_is_undone_and_only_once()
    {
        _router = await TestConsole.StartAsync(ConsoleSetup.Simulated());
        await _router.StartInBackgroundAsync<NotificationSources>();
        var revision = await ApplyAwaitingConfirmationAsync("192.168.1.2", "203.0.113.9");

        _router.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(Warnings());
        _router.Clock.Advance(TimeSpan.FromSeconds(2));
        await Eventually.UntilAsync(() => Warnings().Count > 0, "the confirmation warning", ct: Ct);

        var notification = Assert.Single(Warnings());
        Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), notification.Facts["revision"]);
        Assert.Contains("unless confirmed", notification.Title);
        Assert.Contains("new employee", notification.Text);
        _router.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(Warnings());
    }

    [Fact]
    public async Task A_change_confirmed_in_time_is_not_announced()
    {
        _router = await TestConsole.StartAsync(ConsoleSetup.Simulated());
        await _router.StartInBackgroundAsync<NotificationSources>();
        var revision = await ApplyAwaitingConfirmationAsync("192.168.1.2", "203.0.113.9");

        _router.Clock.Advance(TimeSpan.FromSeconds(30));
        await _router.Get<ConfirmationService>().ConfirmAsync(revision, Actors.Admin, Ct);
        _router.Clock.Advance(TimeSpan.FromSeconds(90));

        Assert.Empty(Warnings());
    }
}
