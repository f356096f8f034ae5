using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Watch;

/// <summary>
/// A backend's owned state with the VPN watch beside it. A state without a watch is stored in the backend's own form,
/// so revisions stored before the watch existed load unchanged.
/// </summary>
public sealed class WatchedOwned(IOwnedFirewall inner, IPNetwork watch) : IOwnedFirewall
{
    private const string Marker = "VpnWatch";

    public IOwnedFirewall Inner => inner;
    public IPNetwork Watch => watch;

    public FirewallPlan ToPlan() => inner.ToPlan() with { WatchedLan = watch };

    private sealed record Stored(string Lan, string Inner);

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, Stored> { [Marker] = new(watch.ToString(), inner.ToJson()) });

    /// <summary>The backend's own part of a stored state, and the watched LAN when it has one.</summary>
    public static (string InnerJson, IPNetwork? Watch) Split(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(Marker, out var stored)) return (json, null);
        var value = stored.Deserialize<Stored>() ?? throw new JsonException("Empty VPN watch state.");
        return (value.Inner, IPNetwork.Parse(value.Lan));
    }

    public static IOwnedFirewall With(IOwnedFirewall inner, IPNetwork? watch) => watch is { } lan ? new WatchedOwned(inner, lan) : inner;

    public static (IOwnedFirewall Inner, IPNetwork? Watch) Unwrap(IOwnedFirewall owned) =>
        owned is WatchedOwned watched ? (watched.Inner, watched.Watch) : (owned, null);
}

/// <summary>One read of the router with what its watch table holds.</summary>
public sealed class WatchedLive(ILiveFirewall inner, WatchTableState watch, IReadOnlyList<string> watchLines) : ILiveFirewall
{
    public const string TextMarker = "\n# routeradmin: VPN watch table\n";

    public ILiveFirewall Inner => inner;
    public WatchTableState Watch => watch;

    // A hand-edited watch is kept as the LAN it names, so undoing a change puts the watch back, not the edit.
    public IOwnedFirewall Owned => WatchedOwned.With(inner.Owned, watch.Lan);
    public IReadOnlyList<LiveAddress> Addresses => inner.Addresses;
    public string Text => watchLines.Count == 0 ? inner.Text : inner.Text + TextMarker + string.Join('\n', watchLines);
    public IReadOnlyList<ForeignSnatRule> ForeignSnat => inner.ForeignSnat;
    public IReadOnlyList<MappingCounters> Counters => inner.Counters;
    public ForeignMasquerade? ForeignMasquerade => inner.ForeignMasquerade;

    public static (ILiveFirewall Inner, WatchTableState Watch) Unwrap(ILiveFirewall live) =>
        live is WatchedLive watched ? (watched.Inner, watched.Watch) : (live, WatchTableState.Absent);
}
