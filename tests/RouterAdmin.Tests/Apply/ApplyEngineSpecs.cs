using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Model;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Apply;

/// <summary>
/// Base for the apply engine specs: the real engine and its real dependencies from the composition root, on the
/// simulated backend (a real nat table kept in SQLite, changed by the same restore scripts).
/// </summary>
public abstract class ApplyEngineSpecs : IAsyncLifetime
{
    protected const string JumpLine = "-A POSTROUTING -m comment --comment \"routeradmin: per-client SNAT, keep first\" -j ROUTERADMIN-SNAT";
    protected const string MasqueradeLine = "-A POSTROUTING -s 192.168.1.0/24 -o eth1 -j MASQUERADE";

    protected TestConsole Router { get; private set; } = null!;
    protected ApplyEngine Engine => Router.Engine;
    protected ClientService Clients => Router.Clients;
    protected ExternalAddressService Addresses => Router.Addresses;
    protected EndpointService Endpoints => Router.Endpoints;
    protected AssignmentService Assignments => Router.Assignments;
    protected SettingsService Settings => Router.Settings;
    protected InventoryStore Store => Router.Store;
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Router = await TestConsole.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Router.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task<(int Client, int Endpoint, int External)> AliceLeavesFromAsync(string address, bool bind = true)
    {
        var alice = await Clients.CreateAsync(Make.Client("Alice", "192.168.1.2"), Actors.Admin, Ct);
        var vpn = await Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
        var external = await Addresses.CreateAsync(Make.External(address, bindOnWan: bind), Actors.Admin, Ct);
        await Assignments.AssignAsync(alice, vpn, external, Actors.Admin, Ct);
        return (alice, vpn, external);
    }

    /// <summary>Previews and applies what the preview showed, as the Apply page does.</summary>
    protected async Task<ApplyResult> PreviewAndApplyAsync(string reason = "ticket 42")
    {
        var preview = await Engine.PreviewApplyAsync(Ct);
        return await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, reason, preview.Fingerprint), Ct);
    }

    protected async Task<string> KernelTextAsync() => await Router.Kernel.SaveNatTableAsync(false, Ct);

    protected async Task<List<Revision>> RevisionsAsync()
    {
        await using var db = Router.NewContext();
        return await db.Revisions.AsNoTracking().Include(r => r.Snapshot).OrderBy(r => r.Id).ToListAsync(Ct);
    }

    protected async Task<List<string>> AuditActionsAsync()
    {
        await using var db = Router.NewContext();
        return await db.Audit.AsNoTracking().OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);
    }

    /// <summary>RouterAdmin's chains exist and its jump sits second, after the MASQUERADE: the next apply must move it.</summary>
    protected async Task JumpSecondAsync() =>
        await Router.Kernel.RestoreAsync($"*nat\n:ROUTERADMIN-SNAT - [0:0]\n:ROUTERADMIN-MASQ - [0:0]\n{JumpLine}\nCOMMIT\n", Ct);

    /// <summary>
    /// Makes the next apply fail in iptables-restore (after <see cref="JumpSecondAsync"/>): just before the transaction
    /// runs, someone deletes the jump it is about to delete, so its -D finds nothing and the kernel refuses the whole transaction.
    /// </summary>
    protected async Task<ApplyResult> ApplyWhileSomeoneDeletesTheJumpAsync()
    {
        var preview = await Engine.PreviewApplyAsync(Ct);
        Assert.Contains($"-D POSTROUTING", preview.Transaction);
        Router.Kernel.BeforeNextRestore = inner => inner.RestoreAsync($"*nat\n{JumpLine.Replace("-A ", "-D ")}\nCOMMIT\n", Ct);
        return await Engine.ApplyAsync(new ApplyRequest(Actors.Admin, "doomed", preview.Fingerprint), Ct);
    }

    protected static IEnumerable<string> Lines(NatTable table, string chain) => table.RulesOf(chain).Select(r => r.SaveLine);
}
