using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Model;
using RouterAdmin.Inventory;

namespace RouterAdmin.Import;

/// <summary>A hand-written rule found on the router and what importing it would mean.</summary>
public sealed record ImportCandidate(string RuleLine, FoundMapping? Mapping, string? SkipReason)
{
    public bool Importable => Mapping is not null && SkipReason is null;
}

/// <summary>What a scan of the router found: per-client SNAT rules to take over, and the general MASQUERADE for context.</summary>
public sealed record ImportProposal(
    IReadOnlyList<ImportCandidate> Candidates,
    string? MasqueradeRule,
    string? SuggestedWanInterface,
    IPNetwork? SuggestedLanSubnet)
{
    public bool HasAnything => Candidates.Any(c => c.Importable);
}

/// <summary>
/// Turns rules found on the router into inventory, without I/O: for the first-run import of a router that already
/// has the story's hand-written SNAT rules, and for adopting a drifted kernel as the new truth.
/// </summary>
public static class ImportPlanner
{
    /// <summary>Finds plain per-client SNAT rules that RouterAdmin does not own yet.</summary>
    public static ImportProposal Scan(InventorySnapshot inventory, ILiveFirewall live)
    {
        var lan = inventory.Settings.LanSubnet;
        var masquerade = live.ForeignMasquerade;
        IPNetwork? suggestedLan = null;
        if (masquerade?.Source is not null && InventoryValidator.TryParseNetwork(masquerade.Source, out var network, out _))
        {
            suggestedLan = network;
            lan = network;
        }
        var candidates = new List<ImportCandidate>();
        foreach (var rule in live.ForeignSnat)
        {
            if (inventory.RetiredRules.Contains(rule.Text)) continue;
            if (rule.Mapping is not { } mapping)
                candidates.Add(new ImportCandidate(rule.Text, null, "it matches more than source and destination (protocol, ports or other options), so it is not a per-client mapping"));
            else if (mapping.Source.PrefixLength != 32)
                candidates.Add(new ImportCandidate(rule.Text, mapping, $"its source {mapping.Source} is a network, not one client"));
            else if (!lan.Contains(mapping.Source.BaseAddress))
                candidates.Add(new ImportCandidate(rule.Text, mapping, $"its source {mapping.Source.BaseAddress} is outside the LAN subnet {lan}"));
            else if (mapping.Destination.PrefixLength < 8)
                candidates.Add(new ImportCandidate(rule.Text, mapping, $"its destination {mapping.Destination} is too broad for a VPN endpoint"));
            else
                candidates.Add(new ImportCandidate(rule.Text, mapping, null));
        }
        return new ImportProposal(candidates, masquerade?.Text, masquerade?.OutInterface, suggestedLan);
    }

    /// <summary>
    /// The inventory with the chosen rules taken in: their clients, endpoints and external addresses are created when
    /// missing (named after their addresses, for the administrator to rename), their assignments made, and the rules
    /// themselves marked as retired so that the next apply replaces them with the owned chain.
    /// </summary>
    public static (InventorySnapshot Inventory, IReadOnlyList<string> Notes) Import(
        InventorySnapshot inventory, ILiveFirewall live, IReadOnlyCollection<string> ruleLines)
    {
        var proposal = Scan(inventory, live);
        var builder = new InventoryBuilder(inventory, live);
        var notes = new List<string>();
        foreach (var candidate in proposal.Candidates.Where(c => ruleLines.Contains(c.RuleLine)))
        {
            if (!candidate.Importable)
            {
                notes.Add($"Skipped {candidate.RuleLine}: {candidate.SkipReason}.");
                continue;
            }
            var problem = builder.Assign(candidate.Mapping!, forceEnable: false);
            if (problem is not null) notes.Add($"Skipped {candidate.RuleLine}: {problem}.");
            else builder.Retire(candidate.RuleLine);
        }
        return (builder.Build(), notes);
    }

    /// <summary>
    /// The inventory that describes what the kernel does now: the mappings of RouterAdmin's own chain, and of plain
    /// per-client SNAT rules someone put in POSTROUTING (which are retired, so the next apply folds them into the chain).
    /// Assignments of enabled clients the kernel does not have are removed; nothing else is deleted.
    /// </summary>
    public static (InventorySnapshot Inventory, IReadOnlyList<string> Notes) Adopt(InventorySnapshot inventory, ILiveFirewall live)
    {
        var owned = live.Owned.ToPlan();
        var settings = inventory.Settings with { ManageMasquerade = owned.Masquerade is not null };
        // A disabled client has no rule by design: its reserved addresses are not drift and stay.
        var disabled = inventory.Clients.Where(c => !c.Enabled).Select(c => c.Id).ToHashSet();
        var kept = inventory.Assignments.Where(a => disabled.Contains(a.ClientId)).ToArray();
        var builder = new InventoryBuilder(inventory with { Settings = settings, Assignments = kept }, live);
        var notes = new List<string>();
        var proposal = Scan(inventory with { Settings = settings }, live);
        bool Importable(ForeignSnatRule rule) => proposal.Candidates.FirstOrDefault(c => c.RuleLine == rule.Text) is { Importable: true };
        // Rules ahead of ours win over ours for the same flow, so they are taken first.
        var found = live.ForeignSnat.Where(r => r.AheadOfOwned && Importable(r)).Select(r => (r.Mapping!, (string?)r.Text))
            .Concat(owned.Mappings.Select(m => (new FoundMapping(new IPNetwork(m.Client, 32), m.Endpoint, m.External), (string?)null)))
            .Concat(live.ForeignSnat.Where(r => !r.AheadOfOwned && Importable(r)).Select(r => (r.Mapping!, (string?)r.Text)));
        foreach (var (mapping, foreignText) in found)
        {
            var problem = builder.Assign(mapping, forceEnable: true);
            var text = foreignText ?? $"{mapping.Source} → {mapping.Destination} via {mapping.ToSource}";
            if (problem is null && foreignText is not null) builder.Retire(foreignText);
            if (problem is not null && !problem.StartsWith("already", StringComparison.Ordinal)) notes.Add($"Not adopted {text}: {problem}.");
        }
        return (builder.Build(), notes);
    }

    /// <summary>Grows an inventory snapshot, giving new rows ids after the highest existing one.</summary>
    private sealed class InventoryBuilder(InventorySnapshot start, ILiveFirewall live)
    {
        private readonly List<InventorySnapshot.ClientRow> _clients = [.. start.Clients];
        private readonly List<InventorySnapshot.EndpointRow> _endpoints = [.. start.Endpoints];
        private readonly List<InventorySnapshot.ExternalAddressRow> _addresses = [.. start.ExternalAddresses];
        private readonly List<InventorySnapshot.AssignmentRow> _assignments = [.. start.Assignments];
        private readonly List<string> _retired = [.. start.RetiredRules];

        public string? Assign(FoundMapping mapping, bool forceEnable)
        {
            var lan = start.Settings.LanSubnet;
            var clientAddress = mapping.Source.BaseAddress;
            if (mapping.Source.PrefixLength != 32 || !lan.Contains(clientAddress))
                return $"its source {mapping.Source} is not one client on the LAN {lan}";
            var endpoint = _endpoints.FirstOrDefault(e => e.Destination == mapping.Destination);
            var clash = _endpoints.FirstOrDefault(e => e.Destination != mapping.Destination
                && (e.Destination.Contains(mapping.Destination.BaseAddress) || mapping.Destination.Contains(e.Destination.BaseAddress)));
            if (endpoint is null && clash is not null)
                return $"its destination {mapping.Destination} overlaps the endpoint {clash.Name}";
            if (lan.Contains(mapping.ToSource))
                return $"its source address {mapping.ToSource} is inside the LAN";

            var client = _clients.FirstOrDefault(c => c.LanAddress.Equals(clientAddress));
            if (client is null)
            {
                client = new InventorySnapshot.ClientRow(NextId(_clients.Select(c => c.Id)), $"client {clientAddress}", clientAddress, null, "Imported from a hand-written rule.", true);
                _clients.Add(client);
            }
            else if (forceEnable && !client.Enabled)
            {
                _clients[_clients.IndexOf(client)] = client = client with { Enabled = true };
            }
            endpoint ??= AddEndpoint(mapping.Destination);
            var external = _addresses.FirstOrDefault(a => a.Address.Equals(mapping.ToSource)) ?? AddExternal(mapping.ToSource, mapping.OutInterface);

            var existing = _assignments.FirstOrDefault(a => a.ClientId == client.Id && a.EndpointId == endpoint.Id);
            if (existing is not null)
                return existing.ExternalAddressId == external.Id ? "already in the inventory" : $"client {clientAddress} already leaves from another address towards {endpoint.Name}";
            var holder = _assignments.FirstOrDefault(a => a.EndpointId == endpoint.Id && a.ExternalAddressId == external.Id);
            if (holder is not null)
                return $"{mapping.ToSource} already serves another client towards {endpoint.Name}";
            _assignments.Add(new InventorySnapshot.AssignmentRow(NextId(_assignments.Select(a => a.Id)), client.Id, endpoint.Id, external.Id, DateTimeOffset.UnixEpoch));
            return null;
        }

        public void Retire(string ruleLine)
        {
            if (!_retired.Contains(ruleLine)) _retired.Add(ruleLine);
        }

        public InventorySnapshot Build() => new(start.Settings, _clients, _addresses, _endpoints, _assignments, _retired);

        private InventorySnapshot.EndpointRow AddEndpoint(IPNetwork destination)
        {
            var endpoint = new InventorySnapshot.EndpointRow(NextId(_endpoints.Select(e => e.Id)), $"VPN {Ipv4.Format(destination)}", destination, "Imported from a hand-written rule.");
            _endpoints.Add(endpoint);
            return endpoint;
        }

        private InventorySnapshot.ExternalAddressRow AddExternal(IPAddress address, string? outInterface)
        {
            // Use where the router already has it; an address someone bound by hand stays theirs to remove.
            var bound = live.Addresses.FirstOrDefault(a => a.Bound.Address.Equals(address));
            var row = new InventorySnapshot.ExternalAddressRow(NextId(_addresses.Select(a => a.Id)), address,
                bound?.Bound.Interface ?? outInterface ?? start.Settings.WanInterface, bound?.Bound.PrefixLength ?? 32, bound?.IsOwned ?? false,
                bound is null ? "Imported; not bound on any interface of the router." : "Imported from a hand-written rule.");
            _addresses.Add(row);
            return row;
        }

        private static int NextId(IEnumerable<int> ids) => ids.DefaultIfEmpty(0).Max() + 1;
    }
}
