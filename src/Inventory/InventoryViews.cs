using System.Net;

namespace RouterAdmin.Inventory;

// Read models for the pages: what a table row or a details view shows, already joined and formatted.

public sealed record PageRequest(int Page, int PageSize, string? Search = null, string? SortBy = null, bool Descending = false)
{
    public int Skip => Math.Max(0, Page) * PageSize;
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

public sealed record ClientRow(int Id, string Name, string LanAddress, string? MacAddress, bool Enabled, IReadOnlyList<string> Assignments);

public sealed record ClientAssignmentView(int AssignmentId, int EndpointId, string EndpointName, string Destination, int ExternalAddressId, string ExternalAddress);

public sealed record ClientDetails(int Id, string Name, string LanAddress, string? MacAddress, string? Notes, bool Enabled, IReadOnlyList<ClientAssignmentView> Assignments);

public sealed record ExternalAddressRow(int Id, string Address, string Interface, int PrefixLength, bool BindOnWan, string? Notes, int AssignmentCount);

public sealed record EndpointRow(int Id, string Name, string Destination, string? Notes, int Used, int Total);

public sealed record EndpointHolder(int ExternalAddressId, string ExternalAddress, int? AssignmentId, int? ClientId, string? ClientName, string? ClientAddress);

public sealed record EndpointDetails(int Id, string Name, string Destination, string? Notes, IReadOnlyList<EndpointHolder> Holders)
{
    public int Used => Holders.Count(h => h.AssignmentId is not null);
    public int Total => Holders.Count;
}

public sealed record AssignmentRow(int Id, int ClientId, string ClientName, string ClientAddress, bool ClientEnabled, int EndpointId, string EndpointName, string Destination, int ExternalAddressId, string ExternalAddress, DateTimeOffset AssignedAt);

/// <summary>The router settings as the pages and the import read them.</summary>
public sealed record SettingsView(string WanInterface, IPNetwork LanSubnet, bool ManageMasquerade, bool WatchVpnUsers = false);

public sealed record AddressOption(int Id, string Address, string Interface);

public sealed record Option(int Id, string Label);

/// <summary>What goes with a deletion: shown in the confirmation, and checked again when it is confirmed.</summary>
public sealed record DeletionImpact(string What, IReadOnlyList<string> AssignmentsRemoved);

/// <summary>What a bulk assignment did: the new assignments, and the clients that already had an address towards the endpoint.</summary>
public sealed record BulkAssignment(IReadOnlyList<AssignmentRow> Assigned, IReadOnlyList<string> AlreadyAssigned);
