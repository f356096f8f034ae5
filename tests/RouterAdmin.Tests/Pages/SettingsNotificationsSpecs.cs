using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using RouterAdmin.Components.Pages;
using RouterAdmin.Notifications;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>The Settings page's notification channels on the console's real services and database.</summary>
public sealed class SettingsNotificationsSpecs : BunitContext, IAsyncLifetime
{
    private const string Secret = "a-shared-secret-of-32-characters";
    private TestConsole _router = null!;
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public SettingsNotificationsSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        _router = await TestConsole.StartAsync(ConsoleSetup.Simulated() with { Clock = null });
        Services.AddSingleton(_router.Get<NotificationSettingsService>());
        Services.AddSingleton(_router.Get<NotificationDispatcher>());
        Services.AddScoped<CurrentUser>();
        AddAuthorization().SetAuthorized("ada").SetRoles(nameof(UserRole.Admin));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (_router is not null) await _router.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_saves_a_webhook_whose_secret_is_never_shown_back_and_sends_a_signed_test()
    {
        using var receiver = new WebhookReceiver();
        Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<SettingsNotifications>();
        cut.WaitForAssertion(() => Assert.True(cut.Find("[data-testid=test-webhook]").HasAttribute("disabled"), "nothing to test before a webhook is saved"));

        cut.Find("[data-testid=webhook-enabled] input").Change(true);
        cut.Find("#webhook-url").Input(receiver.Address.ToString());
        cut.Find("#webhook-secret").Input(Secret);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("A secret is set; leave empty to keep it.", cut.Markup));
        Assert.DoesNotContain(Secret, cut.Markup);
        Assert.Equal("", cut.Find("#webhook-secret").GetAttribute("value") ?? "");
        var stored = await _router.Get<NotificationSettingsService>().GetAsync(Ct);
        Assert.True(stored is { WebhookEnabled: true, WebhookSecretSet: true });
        Assert.Equal(receiver.Address.ToString(), stored.WebhookUrl);

        cut.Find("[data-testid=test-webhook]").Click();

        cut.WaitForAssertion(() => Assert.Equal("The test webhook was delivered.", cut.Find("[data-testid=test-result]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        var call = Assert.Single(receiver.Calls);
        Assert.Contains("\"kind\":\"test\"", call.Body);
        Assert.StartsWith("sha256=", call.Headers["X-RouterAdmin-Signature"]);
    }

    [Fact]
    public void A_channel_switched_on_without_what_it_needs_is_refused_field_by_field()
    {
        Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<SettingsNotifications>();

        cut.Find("[data-testid=email-enabled] input").Change(true);
        cut.Find("#email-to").Input("not an address");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("E-mail needs an SMTP server.", cut.Markup));
        Assert.Contains("Give one or more e-mail addresses, separated by commas.", cut.Markup);
        Assert.Contains("E-mail needs a sender address.", cut.Markup);
    }
}
