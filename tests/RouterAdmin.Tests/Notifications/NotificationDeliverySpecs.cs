using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using netDumbster.smtp;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Notifications;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Notifications;

/// <summary>
/// Notifications leave the console for real receivers on loopback: a webhook (HttpListener) that checks the
/// signature itself, and an SMTP server (netDumbster). The console runs on the system clock here, so the retries wait.
/// </summary>
public sealed class NotificationDeliverySpecs : IAsyncDisposable
{
    private const string Secret = "a-shared-secret-of-32-characters";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TestConsole _router = null!;

    public async ValueTask DisposeAsync()
    {
        if (_router is not null) await _router.DisposeAsync();
    }

    private async Task StartAsync(params (string Key, string Value)[] settings)
    {
        var setup = ConsoleSetup.Simulated() with { Clock = null };
        foreach (var (key, value) in settings) setup = setup.With(key, value);
        _router = await TestConsole.StartAsync(setup);
        await _router.StartInBackgroundAsync<NotificationDispatcher>();
        await _router.StartInBackgroundAsync<NotificationSources>();
    }

    [Fact]
    public async Task A_webhook_on_loopback_gets_a_failed_apply_and_an_exhausted_pool_signed_with_the_shared_secret()
    {
        using var receiver = new WebhookReceiver();
        await StartAsync();
        await _router.Get<NotificationSettingsService>().UpdateAsync(new NotificationDraft
        {
            WebhookEnabled = true, WebhookUrl = receiver.Address.ToString(), NewWebhookSecret = Secret,
        }, Actors.Admin, Ct);

        await AliceTakesTheOnlyAddressAsync();
        _router.Kernel.BeforeNextRestore = _ => throw new FirewallCommandException("iptables-restore", 4, "iptables-restore: resource busy");
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        Assert.Equal(ApplyResultKind.Failed, (await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice", preview.Fingerprint), Ct)).Kind);

        await Eventually.UntilAsync(() => receiver.Calls.Count >= 2, "two webhook calls", ct: Ct);
        var calls = receiver.Calls.ToArray();
        foreach (var call in calls)
        {
            var timestamp = call.Headers["X-RouterAdmin-Timestamp"];
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{call.Body}")));
            Assert.Equal(expected, call.Headers["X-RouterAdmin-Signature"]);
            Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse("2026-01-01", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds(), long.MaxValue);
            Assert.StartsWith("application/json", call.Headers["Content-Type"]);
        }
        var bodies = calls.Select(c => JsonDocument.Parse(c.Body).RootElement).ToDictionary(b => b.GetProperty("kind").GetString()!);
        Assert.Equal(["apply-failed", "pool-exhausted"], bodies.Keys.Order());
        Assert.Equal("Contivity", bodies["pool-exhausted"].GetProperty("facts").GetProperty("endpoint").GetString());
        Assert.Contains("resource busy", bodies["apply-failed"].GetProperty("text").GetString());
        Assert.Equal("true", bodies["apply-failed"].GetProperty("facts").GetProperty("restored").GetString());
    }

    [Fact]
    public async Task An_smtp_server_on_loopback_gets_the_test_email_and_a_raised_notification()
    {
        using var smtp = SimpleSmtpServer.Start(WebhookReceiver.FreePort());
        await StartAsync();
        await _router.Get<NotificationSettingsService>().UpdateAsync(new NotificationDraft
        {
            EmailEnabled = true, SmtpHost = "127.0.0.1", SmtpPort = smtp.Configuration.Port, SmtpSecurity = SmtpSecurity.None,
            EmailFrom = "routeradmin@router.example", EmailTo = "noc@example.com, ada@example.com",
        }, Actors.Admin, Ct);

        Assert.Null(await _router.Get<NotificationDispatcher>().SendTestAsync("e-mail", Actors.Admin, Ct));
        _router.Get<Notifier>().DroppedVpnUserDetected(IPAddress.Parse("192.168.1.7"), IPAddress.Parse("198.51.100.10"), "bob-laptop", 42, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

        await Eventually.UntilAsync(() => smtp.ReceivedEmailCount >= 2, "two mails", ct: Ct);
        var mails = smtp.ReceivedEmail.ToDictionary(m => m.Subject);
        var test = mails["[RouterAdmin] Test notification"];
        Assert.Equal(["ada@example.com", "noc@example.com"], test.ToAddresses.Select(a => a.Address).Order());
        Assert.Equal("routeradmin@router.example", test.FromAddress.Address);
        Assert.Contains("192.168.1.7", mails["[RouterAdmin] VPN user dropped: bob-laptop"].MessageParts[0].BodyData);
    }

    [Fact]
    public async Task A_dead_receiver_is_retried_with_a_growing_wait_and_an_apply_meanwhile_succeeds()
    {
        await StartAsync(("RouterAdmin:Notifications:MaxAttempts", "3"), ("RouterAdmin:Notifications:FirstRetryDelay", "00:00:00.300"));
        await _router.Get<NotificationSettingsService>().UpdateAsync(new NotificationDraft
        {
            // Nothing listens there: every try is refused.
            WebhookEnabled = true, WebhookUrl = $"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook", NewWebhookSecret = Secret,
        }, Actors.Admin, Ct);
        var dispatcher = _router.Get<NotificationDispatcher>();

        await AliceTakesTheOnlyAddressAsync();
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        var result = await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice", preview.Fingerprint), Ct);

        Assert.Equal(ApplyResultKind.Applied, result.Kind);
        await Eventually.UntilAsync(() => dispatcher.Recent.Count(a => a.Kind == NotificationKind.PoolExhausted) >= 3, "three tries", ct: Ct);
        var tries = dispatcher.Recent.Where(a => a.Kind == NotificationKind.PoolExhausted).ToArray();
        Assert.Equal([1, 2, 3], tries.Select(t => t.Attempt));
        Assert.All(tries, t => Assert.False(t.Delivered));
        // The waits run on the monotonic timer, the times are read from the wall clock: they may disagree by a
        // fraction of a millisecond (a CI run saw 299.94 ms for a 300 ms wait), so allow a clock tick, no more.
        var tick = TimeSpan.FromMilliseconds(2);
        Assert.True(tries[1].At - tries[0].At >= TimeSpan.FromMilliseconds(300) - tick, $"second try after {tries[1].At - tries[0].At}");
        Assert.True(tries[2].At - tries[1].At >= TimeSpan.FromMilliseconds(600) - tick, $"third try after {tries[2].At - tries[1].At}: the wait doubles");
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_notification_on_the_third_try()
    {
        using var receiver = new WebhookReceiver(n => n <= 2 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent);
        await StartAsync(("RouterAdmin:Notifications:FirstRetryDelay", "00:00:00.100"));
        await _router.Get<NotificationSettingsService>().UpdateAsync(new NotificationDraft
        {
            WebhookEnabled = true, WebhookUrl = receiver.Address.ToString(), NewWebhookSecret = Secret,
        }, Actors.Admin, Ct);

        _router.Get<Notifier>().Raise(NotificationKind.Drift, "drifted", "the chain was flushed");

        var dispatcher = _router.Get<NotificationDispatcher>();
        await Eventually.UntilAsync(() => dispatcher.Recent.Any(a => a.Delivered), "a delivered try", ct: Ct);
        Assert.Equal([false, false, true], dispatcher.Recent.Select(a => a.Delivered));
        Assert.Contains("503", dispatcher.Recent[0].Error);
        Assert.Equal(3, receiver.Calls.Count);
    }

    private async Task AliceTakesTheOnlyAddressAsync()
    {
        var alice = await _router.Clients.CreateAsync(Make.Client("Alice", "192.168.1.2"), Actors.Admin, Ct);
        var vpn = await _router.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        await _router.Addresses.CreateAsync(Make.External("203.0.113.9"), Actors.Admin, Ct);
        await _router.Assignments.AssignFreeAsync(alice, vpn, Actors.Admin, Ct);
    }
}
