using System.Net;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using RouterAdmin.Components.Shared;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>
/// The dashboard's list of VPN users without their own address, on a console with real SQLite: who is dropped and who
/// at risk, in words; the one fix makes the unknown host a client with a free address and opens the preview.
/// </summary>
public sealed class VpnUsersPanelSpecs : BunitContext, IAsyncLifetime
{
    private sealed class ScriptedWatch : IVpnWatch
    {
        public IReadOnlyList<WatchedFlow> Flows { get; set; } = [];
        public Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct) => Task.FromResult(Flows);
    }

    private sealed class OneNeighbour : INeighbourTable
    {
        public Task<IReadOnlyList<RouterAdmin.Firewall.LiveState.Neighbour>> ReadAsync(CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<RouterAdmin.Firewall.LiveState.Neighbour>>([new(IPAddress.Parse("192.168.1.9"), "br0", "5e:49:36:ba:89:ec")]);
    }

    private static readonly IPAddress Server = IPAddress.Parse("198.51.100.10");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly ScriptedWatch _watch = new();
    private TestConsole _console = null!;

    public VpnUsersPanelSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        _console = await TestConsole.StartAsync(ConsoleSetup.Simulated() with { Services = s => s.AddSingleton<IVpnWatch>(_watch).AddSingleton<INeighbourTable>(new OneNeighbour()) });
        await _console.Clients.CreateAsync(Make.Client("Ann", "192.168.1.2"), Actors.Admin, Ct);
        await _console.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        await _console.Addresses.CreateAsync(Make.External("203.0.113.2"), Actors.Admin, Ct);
        Services.AddSingleton(_console.Get<VpnUserWatcher>());
        Services.AddSingleton(_console.Get<VpnUserFixes>());
        Services.AddScoped<CurrentUser>();
        AddAuthorization().SetAuthorized("ada").SetRoles(nameof(UserRole.Admin));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (_console is not null) await _console.DisposeAsync();
    }

    [Fact]
    public async Task Dropped_and_at_risk_users_are_listed_in_words_and_the_fix_adds_the_unknown_host_with_a_free_address()
    {
        var cut = Render<VpnUsersPanel>();
        Assert.Empty(cut.FindAll("[data-testid=vpn-users]"));

        _console.Kernel.LiveFlows = [new ConntrackEntry("esp", "192.168.1.2", "198.51.100.10", "198.51.100.10", "203.0.113.1", 599)];
        _watch.Flows = [new(IPAddress.Parse("192.168.1.2"), Server, 1), new(IPAddress.Parse("192.168.1.9"), Server, 12)];
        await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=vpn-users]")));
        Assert.Contains("1 VPN user cannot connect now", cut.Find("[data-testid=dropped-alert]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 VPN user connects through the shared address", cut.Find("[data-testid=at-risk-alert]").TextContent, StringComparison.Ordinal);
        var rows = cut.FindAll("[data-testid=vpn-users] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("dropped now", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("192.168.1.9", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("not a client", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("5e:49:36:ba:89:ec", cut.Find("[data-testid='mac-192.168.1.9']").TextContent.Trim());
        Assert.Contains("at risk", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("Ann", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("203.0.113.1", rows[1].TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid='fix-192.168.1.9']").Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/apply", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri, StringComparison.Ordinal));
        var inventory = await _console.Store.CaptureAsync(Ct);
        var added = Assert.Single(inventory.Clients, c => c.LanAddress.Equals(IPAddress.Parse("192.168.1.9")));
        Assert.Equal("VPN user 192.168.1.9", added.Name);
        Assert.Equal("5e:49:36:ba:89:ec", added.MacAddress);
        var assignment = Assert.Single(inventory.Assignments, a => a.ClientId == added.Id);
        Assert.Equal(IPAddress.Parse("203.0.113.2"), inventory.ExternalAddresses.Single(a => a.Id == assignment.ExternalAddressId).Address);
    }

    [Fact]
    public async Task With_no_address_free_the_fix_is_refused_and_adds_nothing()
    {
        await _console.Assignments.AssignFreeAsync((await _console.Store.CaptureAsync(Ct)).Clients.Single().Id, (await _console.Store.CaptureAsync(Ct)).Endpoints.Single().Id, Actors.Admin, Ct);
        _watch.Flows = [new(IPAddress.Parse("192.168.1.9"), Server, 12)];
        var report = await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        var refusal = await Assert.ThrowsAsync<RouterAdmin.Refusals.Conflict>(() => _console.Get<VpnUserFixes>().GiveOwnAddressAsync(report.Dropped.Single(), Actors.Admin, Ct));

        Assert.Equal("VPN user 192.168.1.9 was not added: No external address is left free for Contivity: all 1 are taken by then. Add external addresses, or assign fewer clients.", refusal.Message);
        Assert.Single((await _console.Store.CaptureAsync(Ct)).Clients);
    }

    [Fact]
    public async Task A_host_seen_only_by_its_ike_is_listed_at_risk_with_the_port_it_leaves_from()
    {
        var cut = Render<VpnUsersPanel>();
        _console.Kernel.LiveFlows = [new ConntrackEntry("udp", "192.168.1.9", "198.51.100.10", "198.51.100.10", "203.0.113.1", 29, 500, 500, 173)];

        await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=vpn-users] tbody tr")));
        var row = cut.Find("[data-testid=vpn-users] tbody tr").TextContent;
        Assert.Contains("at risk", row, StringComparison.Ordinal);
        Assert.Contains("IKE only, no ESP yet", row, StringComparison.Ordinal);
        Assert.Contains("203.0.113.1:173", row, StringComparison.Ordinal);
    }
}
