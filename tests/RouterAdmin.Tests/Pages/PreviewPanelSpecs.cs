using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using RouterAdmin.Components.Shared;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Tests.Support;

namespace RouterAdmin.Tests.Pages;

/// <summary>The preview says, in people's words, which live VPN tunnels the change will make re-key, and wraps long rules.</summary>
public sealed class PreviewPanelSpecs : BunitContext, IAsyncLifetime
{
    private TestConsole _router = null!;
    private int _alice;
    private int _spare;
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public PreviewPanelSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        _router = await TestConsole.StartAsync();
        Services.AddSingleton(_router.Get<LiveTunnels>());
        _alice = await _router.Clients.CreateAsync(Make.Client("Alice Ng", "192.168.1.2"), Actors.Admin, Ct);
        var vpn = await _router.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        var first = await _router.Addresses.CreateAsync(Make.External("203.0.113.2"), Actors.Admin, Ct);
        _spare = await _router.Addresses.CreateAsync(Make.External("203.0.113.3"), Actors.Admin, Ct);
        await _router.Assignments.AssignAsync(_alice, vpn, first, Actors.Admin, Ct);
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        await _router.Engine.ApplyAsync(new RouterAdmin.Firewall.Apply.ApplyRequest(Actors.Admin, "Alice's VPN", preview.Fingerprint), Ct);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (_router is not null) await _router.DisposeAsync();
    }

    private async Task MoveAliceAsync()
    {
        var assignment = (await _router.Store.CaptureAsync(Ct)).Assignments.Single(a => a.ClientId == _alice);
        await _router.Assignments.ReassignAsync(assignment.Id, _spare, Actors.Admin, Ct);
    }

    [Fact]
    public async Task Moving_a_client_whose_tunnel_is_up_names_the_tunnel_that_will_re_key()
    {
        _router.Kernel.LiveFlows =
        [
            new ConntrackEntry("esp", "192.168.1.2", "198.51.100.10", "198.51.100.10", "203.0.113.2", 600),
            new ConntrackEntry("udp", "192.168.1.2", "198.51.100.10", "198.51.100.10", "203.0.113.2", 120),
            // Someone else's: another client, and a flow of Alice's elsewhere, are not this change's business.
            new ConntrackEntry("esp", "192.168.1.9", "198.51.100.10", "198.51.100.10", "203.0.113.1", 600),
            new ConntrackEntry("tcp", "192.168.1.2", "93.184.216.34", "93.184.216.34", "203.0.113.1", 60),
        ];
        await MoveAliceAsync();
        var preview = await _router.Engine.PreviewApplyAsync(Ct);

        var cut = Render<PreviewPanel>(p => p.Add(x => x.Preview, preview));

        var alert = cut.WaitForElement("[data-testid=tunnels-to-rekey]");
        Assert.Contains("1 live VPN tunnel will re-key", alert.TextContent);
        Assert.Equal("Alice Ng → Contivity (1 ESP, 1 IKE)", alert.QuerySelector("li")!.TextContent);
        Assert.Contains("Alice Ng → Contivity: 203.0.113.2 → 203.0.113.3", cut.Find("[data-testid=preview-words]").TextContent);
    }

    [Fact]
    public async Task A_change_with_no_live_tunnel_says_nothing_about_re_keying()
    {
        _router.Kernel.LiveFlows = [];
        await MoveAliceAsync();
        var preview = await _router.Engine.PreviewApplyAsync(Ct);

        var cut = Render<PreviewPanel>(p => p.Add(x => x.Preview, preview));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=preview-words]")));
        Assert.Empty(cut.FindAll("[data-testid=tunnels-to-rekey]"));
    }
}
