using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Backends.Watch;
using RouterAdmin.Firewall.Status;
using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Detection;

/// <summary>
/// How often the backend reads the VPN watch's table (on a router, one more <c>nft</c> process a read): not again
/// while the watch is off and a read found nothing, every time while a watch is wanted or a table is there, and once
/// more after each apply, so a leftover table is found at start and after an apply, and a deleted watch is drift.
/// </summary>
public sealed class WatchTableReadSpecs : IAsyncLifetime
{
    private sealed class CountingTable(SimulatedVpnWatchTable inner) : IVpnWatchTable
    {
        private int _reads;
        public int Reads => Volatile.Read(ref _reads);

        public Task<WatchTableState> ReadStateAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref _reads);
            return inner.ReadStateAsync(ct);
        }

        public Task ApplyAsync(IPNetwork? lan, CancellationToken ct) => inner.ApplyAsync(lan, ct);
        public string Script(IPNetwork? lan) => inner.Script(lan);
        public IReadOnlyList<string> Lines(WatchTableState state) => inner.Lines(state);
        public string DescribeApply() => inner.DescribeApply();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TestConsole _console = null!;
    private CountingTable _table = null!;

    public async ValueTask InitializeAsync()
    {
        _console = await TestConsole.StartAsync(ConsoleSetup.Simulated() with
        {
            Services = s => s.AddSingleton<IVpnWatchTable>(p => new CountingTable(p.GetRequiredService<SimulatedVpnWatchTable>())),
        });
        _table = (CountingTable)_console.Get<IVpnWatchTable>();
        var client = await _console.Clients.CreateAsync(Make.Client("Ann", "192.168.1.2"), Actors.Admin, Ct);
        var endpoint = await _console.Endpoints.CreateAsync(Make.Endpoint(), Actors.Admin, Ct);
        await _console.Addresses.CreateAsync(Make.External("203.0.113.2"), Actors.Admin, Ct);
        await _console.Assignments.AssignFreeAsync(client, endpoint, Actors.Admin, Ct);
    }

    public async ValueTask DisposeAsync() => await _console.DisposeAsync();

    private FirewallStatusMonitor Monitor => _console.Get<FirewallStatusMonitor>();
    private SimulatedVpnWatchTable Router => _console.Get<SimulatedVpnWatchTable>();

    private async Task TurnWatchAsync(bool on)
    {
        var draft = SettingsDraft.From(await _console.Settings.GetAsync(Ct));
        draft.WatchVpnUsers = on;
        await _console.Settings.UpdateAsync(draft, Actors.Admin, Ct);
    }

    private async Task ApplyAsync(string reason)
    {
        var preview = await _console.Engine.PreviewApplyAsync(Ct);
        Assert.True((await _console.Engine.ApplyAsync(new(Actors.Admin, reason, preview.Fingerprint), Ct)).Succeeded);
    }

    private async Task<int> ReadsOverThreeRefreshesAsync()
    {
        var before = _table.Reads;
        for (var i = 0; i < 3; i++) await Monitor.RefreshAsync(Ct);
        return _table.Reads - before;
    }

    [Fact]
    public async Task With_the_watch_off_and_no_table_it_is_read_once_and_again_only_after_an_apply()
    {
        Assert.Equal(1, await ReadsOverThreeRefreshesAsync());
        Assert.Equal(0, await ReadsOverThreeRefreshesAsync());

        var beforeApply = _table.Reads;
        await ApplyAsync("Ann");
        Assert.True(_table.Reads > beforeApply, "the apply looks at the table again (where a leftover one would be found)");
        Assert.Equal(0, await ReadsOverThreeRefreshesAsync());
        Assert.True((await Monitor.RefreshAsync(Ct)).InSync);
    }

    [Fact]
    public async Task A_leftover_table_found_at_start_is_shown_to_be_removed_and_read_until_it_is_gone()
    {
        await Router.ApplyAsync(IPNetwork.Parse("192.168.1.0/24"), Ct);

        Assert.Equal(3, await ReadsOverThreeRefreshesAsync());
        Assert.Equal("Watch for dropped VPN users: removed", (await _console.Engine.PreviewApplyAsync(Ct)).Words.Watch);

        await ApplyAsync("no watch here");
        Assert.True((await Router.ReadStateAsync(Ct)).IsAbsent);
        await Monitor.RefreshAsync(Ct);
        Assert.Equal(0, await ReadsOverThreeRefreshesAsync());
    }

    [Fact]
    public async Task A_wanted_watch_is_read_every_time_and_its_deletion_behind_the_consoles_back_is_drift()
    {
        await TurnWatchAsync(on: true);
        await ApplyAsync("watch");
        Assert.True((await Monitor.RefreshAsync(Ct)).InSync);
        Assert.Equal(3, await ReadsOverThreeRefreshesAsync());

        await Router.ApplyAsync(null, Ct);
        var status = await Monitor.RefreshAsync(Ct);

        Assert.True(status.Drifted, "a deleted watch table is drift");
        Assert.Equal(3, await ReadsOverThreeRefreshesAsync());
        // Put back by hand: seen at once, because a wanted watch is read every time.
        await Router.ApplyAsync(IPNetwork.Parse("192.168.1.0/24"), Ct);
        Assert.False((await Monitor.RefreshAsync(Ct)).Drifted);
    }

    [Fact]
    public async Task Turned_off_the_watch_is_removed_and_then_no_longer_read()
    {
        await TurnWatchAsync(on: true);
        await ApplyAsync("watch");
        await TurnWatchAsync(on: false);
        await ApplyAsync("no more watching");

        await Monitor.RefreshAsync(Ct);
        Assert.Equal(0, await ReadsOverThreeRefreshesAsync());
        Assert.True((await Monitor.RefreshAsync(Ct)).InSync);
    }
}
