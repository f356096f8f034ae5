using System.Net;

namespace RouterAdmin.Firewall.Model;

/// <summary>What a source-NAT rule found on the router means: traffic from Source to Destination leaves from ToSource.</summary>
public sealed record FoundMapping(IPNetwork Source, IPNetwork Destination, IPAddress ToSource, string? OutInterface = null)
{
    public (IPNetwork Source, IPNetwork Destination) Flow => (Source, Destination);
}

/// <summary>
/// A source-NAT rule someone else wrote, in the text of the backend that holds it. <see cref="Mapping"/> is null when
/// the rule does more than map one source and destination (protocols, ports, other matches): that is not a per-client
/// mapping. <see cref="AheadOfOwned"/>: it runs before RouterAdmin's rules, so for the same flow it wins.
/// </summary>
public sealed record ForeignSnatRule(string Text, FoundMapping? Mapping, bool AheadOfOwned);

/// <summary>The general masquerade someone else wrote: which source it covers (null: any) and where it leaves.</summary>
public sealed record ForeignMasquerade(string Text, string? Source, string? OutInterface);
