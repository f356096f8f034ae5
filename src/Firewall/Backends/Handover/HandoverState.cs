using System.Text.Json;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Firewall.Planning;

namespace RouterAdmin.Firewall.Backends.Handover;

/// <summary>
/// RouterAdmin's part of the router across both backends: the owner's state and the previous owner's. Wanted (an undo
/// that puts the previous owner's rules back) or stored with a revision; a state with nothing on the previous side is
/// stored in the owner's own form, so revisions stay as they were before switching existed.
/// </summary>
public sealed class HandoverOwned(IOwnedFirewall owner, IOwnedFirewall previous, bool previousHolds, HandoverSides sides, FirewallBackendKind? storedBy = null)
    : IOwnedFirewall
{
    private const string Marker = "Handover";

    public IOwnedFirewall Owner => owner;
    public IOwnedFirewall Previous => previous;

    /// <summary>The previous owner has rules of its own on the router in this state.</summary>
    public bool PreviousHolds => previousHolds;

    /// <summary>For a state loaded from one backend's own form: which backend wrote it (its text belongs to that side).</summary>
    public FirewallBackendKind? StoredBy => storedBy;

    public FirewallPlan ToPlan() => sides.Merge(owner.ToPlan(), previous.ToPlan(), previousHolds);

    private sealed record Stored(string Owner, Dictionary<string, string> States, bool PreviousHolds);

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, Stored>
    {
        [Marker] = new(sides.OwnerKind.ToString(), new()
        {
            [sides.OwnerKind.ToString()] = owner.ToJson(),
            [sides.PreviousKind.ToString()] = previous.ToJson(),
        }, previousHolds),
    });

    /// <summary>Reads a stored state of either backend, or of both; null when it is none of these.</summary>
    public static IOwnedFirewall? Load(string json, HandoverSides sides)
    {
        using (var document = JsonDocument.Parse(json))
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(Marker, out var handover))
            {
                var stored = handover.Deserialize<Stored>() ?? throw new JsonException("Empty handover state.");
                // Keyed by backend, so a state stored before a switch back loads with each part on its own side.
                var ownerPart = stored.States[sides.OwnerKind.ToString()];
                var previousPart = sides.Previous.Load(stored.States[sides.PreviousKind.ToString()]);
                var previousHolds = stored.Owner == sides.OwnerKind.ToString() ? stored.PreviousHolds : true;
                return new HandoverOwned(sides.Owner.Load(ownerPart), previousPart, previousHolds, sides);
            }
        }
        if (sides.Owner.IsStoredState(json)) return sides.Owner.Load(json);
        if (!sides.Previous.IsStoredState(json)) return null;
        // Stored by the other backend before the switch: it held the router then, the owner nothing but the addresses.
        var previous = sides.Previous.Load(json);
        return new HandoverOwned(sides.Owner.RenderAbsent(previous.ToPlan()), previous, true, sides, sides.PreviousKind);
    }
}

/// <summary>One read of the router for both backends: the owner's read and the previous owner's (null when its tools cannot be run).</summary>
public sealed class HandoverLive(ILiveFirewall owner, ILiveFirewall? previous, bool previousHolds, HandoverSides sides) : ILiveFirewall
{
    public const string TextMarker = "\n# routeradmin: left by the other backend\n";

    public ILiveFirewall OwnerLive => owner;
    public ILiveFirewall? PreviousLive => previous;

    /// <summary>The previous owner still has rules of its own on the router: a switch of backend is pending.</summary>
    public bool PreviousHolds => previousHolds;

    public IOwnedFirewall Owned =>
        new HandoverOwned(owner.Owned, previous?.Owned ?? sides.Previous.RenderAbsent(FirewallPlan.Nothing), previousHolds, sides);

    public IReadOnlyList<LiveAddress> Addresses => owner.Addresses;

    // The other backend's tables go with the revision whenever they matter: its leftovers, or rules only it can take over.
    public string Text => previous is not null && (previousHolds || previous.ForeignSnat.Count > 0) ? owner.Text + TextMarker + previous.Text : owner.Text;

    // The other backend reads the hand-written rules only it can read (iptables-nft's, whose targets nft -j hides).
    public IReadOnlyList<ForeignSnatRule> ForeignSnat =>
        owner.ForeignSnat.Concat((previous?.ForeignSnat ?? []).Select(r => r with { AheadOfOwned = sides.PreviousRunsFirst })).ToArray();

    public IReadOnlyList<MappingCounters> Counters => owner.Counters.Concat(previous?.Counters ?? []).ToArray();

    public ForeignMasquerade? ForeignMasquerade => owner.ForeignMasquerade ?? previous?.ForeignMasquerade;
}
