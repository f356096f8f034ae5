using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using RouterAdmin.Components.Pages;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Import;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>The dashboard on the console's real services: one view of it reads the router once, however much it shows.</summary>
public sealed class DashboardReadSpecs : BunitContext, IAsyncLifetime
{
    private TestConsole _router = null!;
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public DashboardReadSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        _router = await TestConsole.StartAsync();
        Services.AddSingleton(_router.Get<FirewallStatusMonitor>());
        Services.AddSingleton(_router.Get<ActivityReader>());
        Services.AddSingleton(_router.Get<ImportService>());
        Services.AddSingleton(_router.Get<ApplyEngine>());
        Services.AddSingleton(_router.Store);
        Services.AddSingleton(_router.Get<HistoryService>());
        Services.AddSingleton(_router.Get<DriftRepair>());
        Services.AddSingleton(_router.Get<PoolCapacity>());
        Services.AddSingleton(_router.Get<RouterAdmin.Detection.VpnUserWatcher>());
        Services.AddSingleton(_router.Get<RouterAdmin.Detection.VpnUserFixes>());
        Services.AddScoped<CurrentUser>();
        AddAuthorization().SetAuthorized("ada").SetRoles(nameof(UserRole.Admin));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (_router is not null) await _router.DisposeAsync();
    }

    [Fact]
    public async Task One_view_of_the_dashboard_with_activity_reads_the_router_once()
    {
        var alice = await _router.Clients.CreateAsync(Make.Client("Alice", "192.168.1.2"), Actors.Admin, Ct);
        var vpn = await _router.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        var external = await _router.Addresses.CreateAsync(Make.External("203.0.113.2"), Actors.Admin, Ct);
        await _router.Assignments.AssignAsync(alice, vpn, external, Actors.Admin, Ct);
        var preview = await _router.Engine.PreviewApplyAsync(Ct);
        await _router.Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "Alice's VPN", preview.Fingerprint), Ct);
        await _router.Get<FirewallStatusMonitor>().RequestRefresh();

        var reads = 0;
        _router.Kernel.BeforeEachSave = () => { Interlocked.Increment(ref reads); return Task.CompletedTask; };
        var cut = Render<Dashboard>();
        cut.WaitForAssertion(() => Assert.Contains("Alice", cut.Find("[data-testid=activity-table]").TextContent), TimeSpan.FromSeconds(10));

        Assert.Equal(1, reads);
        Assert.Contains("203.0.113.2", cut.Find("[data-testid=activity-table]").TextContent);
        // NAT sees only the first packet of a connection: the column says it counts connections, not traffic.
        Assert.Contains("New connections translated", cut.Find("[data-testid=activity-table] thead").TextContent);
        Assert.DoesNotContain("Rule hits", cut.Markup);
        // One of each is counted in the singular.
        Assert.Equal("1 client · 1 assignment", cut.Find("[data-testid=counts] h6").TextContent.Trim());
        Assert.Equal("1 external IP · 1 VPN endpoint", cut.Find("[data-testid=counts] p").TextContent.Trim());
    }
}
