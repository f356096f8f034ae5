using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory;

/// <summary>Every external address is taken for that endpoint: the way out is to add one (or free one).</summary>
public sealed class NoFreeAddress(string endpointName, int total)
    : Conflict(total == 0
        ? $"No external address exists yet, so none is free for {endpointName}. Add an external address first."
        : $"No external address is free for {endpointName}: all {total} are in use. Add an external address, or free one by unassigning.")
{
    public string EndpointName { get; } = endpointName;
}
