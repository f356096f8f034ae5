using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.TestSupport;

/// <summary>
/// How a <see cref="TestConsole"/> is started: which backend drives which router, with or without the web front end,
/// on which clock, with what settings. The presets name the four ways the suites use it.
/// </summary>
public sealed record ConsoleSetup
{
    /// <summary>Where a fake clock starts: a fixed instant, so audit times and expiries are the same on every run.</summary>
    public static readonly DateTimeOffset FakeClockStart = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Simulated, Iptables or Nftables (RouterAdmin:Firewall:Backend).</summary>
    public string Backend { get; init; } = "Simulated";

    /// <summary>The lab whose router the backend drives (its namespace), and whose clients the story seeds.</summary>
    public NetnsLab? Lab { get; init; }

    /// <summary>A router namespace that is not a <see cref="NetnsLab"/> (the benchmark's).</summary>
    public string? Namespace { get; init; }

    /// <summary>The whole web application, listening on a free loopback port, instead of the core services alone.</summary>
    public bool Web { get; init; }

    /// <summary>Replaces the system clock; a <see cref="FakeTimeProvider"/> is what <see cref="TestConsole.Clock"/> returns.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Puts a <see cref="SabotagedBackend"/> between the iptables backend and its router (the simulated one or the real tools).</summary>
    public bool Sabotage { get; init; }

    /// <summary>Where the database lives; when given, it outlives the console (to play a restart) and the caller deletes it.</summary>
    public string? Directory { get; init; }

    /// <summary>
    /// The database on the system's temporary folder (a real disk here) rather than in RAM-backed /dev/shm: for the
    /// benchmark, which must pay the fsync a router's /var/lib pays. Tests keep the default: the file is as real either way.
    /// </summary>
    public bool OnDisk { get; init; }

    /// <summary>Configuration keys (e.g. RouterAdmin:Firewall:Paths:IptablesRestore) over the harness's own.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Last word on the service collection, after the console's own registrations.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>The console on the simulated router, a fake clock and a sabotage hook: the unit suites' default.</summary>
    public static ConsoleSetup Simulated() => new()
    {
        Clock = new FakeTimeProvider(FakeClockStart),
        Sabotage = true,
        // The clock is fake here: a status refresh must not wait for time that never passes.
        Settings = new Dictionary<string, string?> { ["RouterAdmin:Drift:RefreshDelay"] = "00:00:00" },
    };

    /// <summary>The console driving a lab router through <c>ip netns exec</c>, as a deployment with a namespace does.</summary>
    public static ConsoleSetup OnLab(NetnsLab lab, string backend = "Iptables") => new() { Lab = lab, Backend = backend };

    /// <summary>The web application, built as Program builds it.</summary>
    public static ConsoleSetup WebApp() => new() { Web = true };

    public ConsoleSetup With(string key, string? value) =>
        this with { Settings = new Dictionary<string, string?>(Settings) { [key] = value } };
}
