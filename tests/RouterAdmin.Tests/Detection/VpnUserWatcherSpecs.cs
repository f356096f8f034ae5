using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.LiveState;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Detection;

/// <summary>
/// What the watcher remembers between checks on a console with real SQLite: whose count grew (dropped), since when each
/// user is in its state, and a state change starting a new "since".
/// </summary>
public sealed class VpnUserWatcherSpecs : IAsyncLifetime
{
    private sealed class ScriptedWatch : IVpnWatch
    {
        public IReadOnlyList<WatchedFlow> Flows { get; set; } = [];

        public Task<IReadOnlyList<WatchedFlow>> ReadAsync(CancellationToken ct) => Task.FromResult(Flows);
    }

    private sealed class ScriptedNeighbours : INeighbourTable
    {
        public IReadOnlyList<Neighbour> Entries { get; set; } = [];
        public Exception? Failure { get; set; }
        public int Reads { get; private set; }

        public Task<IReadOnlyList<Neighbour>> ReadAsync(CancellationToken ct)
        {
            Reads++;
            return Failure is { } e ? Task.FromException<IReadOnlyList<Neighbour>>(e) : Task.FromResult(Entries);
        }
    }

    private static readonly IPAddress Server = IPAddress.Parse("198.51.100.10");
    private static readonly IPAddress Unknown = IPAddress.Parse("192.168.1.9");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ScriptedWatch _watch = new();
    private readonly ScriptedNeighbours _neighbours = new();
    private readonly string _leases = Path.Combine(Path.GetTempPath(), $"routeradmin-leases-{Guid.NewGuid():N}");
    private TestConsole _console = null!;

    public async ValueTask InitializeAsync()
    {
        _console = await TestConsole.StartAsync((ConsoleSetup.Simulated() with
        {
            Services = s => s.AddSingleton<IVpnWatch>(_watch).AddSingleton<INeighbourTable>(_neighbours),
        }).With("RouterAdmin:Detection:LeasesFile", _leases));
        await _console.Clients.CreateAsync(Make.Client("Ann", "192.168.1.2", mac: "52:54:00:12:34:56"), Actors.Admin, Ct);
        await _console.Endpoints.CreateAsync(Make.Endpoint("Contivity", "198.51.100.10"), Actors.Admin, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _console.DisposeAsync();
        File.Delete(_leases);
    }

    private static ConntrackEntry Esp(string lanHost, string leavesFrom) => new("esp", lanHost, "198.51.100.10", "198.51.100.10", leavesFrom, 599);

    [Fact]
    public async Task A_host_is_dropped_while_its_count_grows_and_keeps_the_time_it_was_first_seen_in_that_state()
    {
        var watcher = _console.Get<VpnUserWatcher>();
        var first = _console.Clock.GetUtcNow();
        _console.Kernel.LiveFlows = [Esp("192.168.1.2", "203.0.113.1")];
        _watch.Flows = [new(IPAddress.Parse("192.168.1.2"), Server, 1), new(Unknown, Server, 5)];

        var report = await watcher.CheckAsync(Ct);
        Assert.Equal(["192.168.1.9 Dropped", "192.168.1.2 AtRisk"], report.Users.Select(u => $"{u.Flow.LanHost} {u.Flow.State}"));
        Assert.All(report.Users, u => Assert.Equal(first, u.Since));
        Assert.Equal("Ann (192.168.1.2)", report.AtRisk.Single().Flow.Who);

        _console.Clock.Advance(TimeSpan.FromSeconds(5));
        _watch.Flows = [new(IPAddress.Parse("192.168.1.2"), Server, 1), new(Unknown, Server, 9)];
        report = await watcher.CheckAsync(Ct);
        Assert.Equal(first, report.Dropped.Single().Since);
        Assert.Equal(9, report.Dropped.Single().Flow.UnconfirmedPackets);

        // The unknown host stops sending: nothing grew, so it is no longer reported.
        _console.Clock.Advance(TimeSpan.FromSeconds(5));
        report = await watcher.CheckAsync(Ct);
        Assert.Empty(report.Dropped);
        Assert.Same(report, watcher.Current);
    }

    [Fact]
    public async Task A_user_who_changes_state_is_dated_from_the_change()
    {
        var watcher = _console.Get<VpnUserWatcher>();
        _watch.Flows = [new(Unknown, Server, 3)];
        Assert.Single((await watcher.CheckAsync(Ct)).Dropped);

        _console.Clock.Advance(TimeSpan.FromSeconds(5));
        var now = _console.Clock.GetUtcNow();
        _console.Kernel.LiveFlows = [Esp("192.168.1.9", "203.0.113.1")];
        var report = await watcher.CheckAsync(Ct);

        var user = Assert.Single(report.AtRisk);
        Assert.Equal(now, user.Since);
        Assert.Empty(report.Dropped);
    }

    [Fact]
    public async Task A_server_no_endpoint_covers_is_offered_as_new()
    {
        _watch.Flows = [new(Unknown, IPAddress.Parse("192.0.2.50"), 1)];
        _console.Kernel.LiveFlows = [new("esp", "192.168.1.9", "192.0.2.50", "192.0.2.50", "203.0.113.1", 599)];

        var report = await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        Assert.Equal([IPAddress.Parse("192.0.2.50")], report.NewServers);
    }

    [Fact]
    public async Task Each_user_is_named_by_the_neighbour_tables_mac_and_by_its_client_name_or_else_its_dhcp_lease()
    {
        await File.WriteAllTextAsync(_leases, "1764687600 5e:49:36:ba:89:ec 192.168.1.9 bob-laptop *\n1764687600 92:46:23:6f:d5:0f 192.168.1.2 ann-pc *\n", Ct);
        _neighbours.Entries = [new(Unknown, "br0", "5e:49:36:ba:89:ee")];
        _console.Kernel.LiveFlows = [Esp("192.168.1.2", "203.0.113.1")];
        _watch.Flows = [new(IPAddress.Parse("192.168.1.2"), Server, 1), new(Unknown, Server, 5)];

        var report = await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        // The kernel's MAC before the lease's; the inventory's MAC and name before the lease's.
        Assert.Equal(
        [
            ("192.168.1.9", "5e:49:36:ba:89:ee", "bob-laptop"),
            ("192.168.1.2", "52:54:00:12:34:56", "Ann"),
        ], report.Users.Select(u => (u.Flow.LanHost.ToString(), u.Mac, u.Hostname)));
    }

    [Fact]
    public async Task A_failing_neighbour_table_or_a_missing_lease_file_leaves_the_names_out_not_the_users()
    {
        _neighbours.Failure = new FirewallCommandException("ip -j -4 neigh show", 1, "Cannot open netlink socket");
        _watch.Flows = [new(Unknown, Server, 5)];

        var user = Assert.Single((await _console.Get<VpnUserWatcher>().CheckAsync(Ct)).Dropped);

        Assert.Equal((null, null), (user.Mac, user.Hostname));
    }

    [Fact]
    public async Task With_nobody_to_name_the_neighbour_table_is_not_read()
    {
        await _console.Get<VpnUserWatcher>().CheckAsync(Ct);

        Assert.Equal(0, _neighbours.Reads);
    }
}
