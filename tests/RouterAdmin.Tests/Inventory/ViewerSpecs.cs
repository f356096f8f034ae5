using System.Reflection;
using RouterAdmin.Inventory;
using RouterAdmin.Refusals;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>A viewer sees everything and changes nothing: every mutating call refuses before it touches the database.</summary>
public sealed class ViewerSpecs : InventorySpecs
{
    private sealed record Ids(int Alice, int Bob, int Nine, int Ten, int Vpn, int Assignment);

    private static readonly Dictionary<string, Func<InventoryServices, Ids, Actor, Task>> Mutations = new()
    {
        [Key<SettingsService>(nameof(SettingsService.UpdateAsync))] = (s, _, a) => s.Settings.UpdateAsync(new SettingsDraft { WanInterface = "wan0", LanSubnet = "192.168.0.0/16" }, a, Ct),
        [Key<ClientService>(nameof(ClientService.CreateAsync))] = (s, _, a) => s.Clients.CreateAsync(Make.Client("Mallory", "192.168.1.66"), a, Ct),
        [Key<ClientService>(nameof(ClientService.UpdateAsync))] = (s, i, a) => s.Clients.UpdateAsync(i.Alice, Make.Client("Renamed", "192.168.1.2"), a, Ct),
        [Key<ClientService>(nameof(ClientService.DeleteAsync))] = (s, i, a) => s.Clients.DeleteAsync(i.Alice, 1, a, Ct),
        [Key<ExternalAddressService>(nameof(ExternalAddressService.CreateAsync))] = (s, _, a) => s.Addresses.CreateAsync(Make.External("203.0.113.66"), a, Ct),
        [Key<ExternalAddressService>(nameof(ExternalAddressService.UpdateAsync))] = (s, i, a) => s.Addresses.UpdateAsync(i.Ten, Make.External("203.0.113.66"), a, Ct),
        [Key<ExternalAddressService>(nameof(ExternalAddressService.DeleteAsync))] = (s, i, a) => s.Addresses.DeleteAsync(i.Nine, 1, a, Ct),
        [Key<EndpointService>(nameof(EndpointService.CreateAsync))] = (s, _, a) => s.Endpoints.CreateAsync(Make.Endpoint("Evil", "198.51.100.66"), a, Ct),
        [Key<EndpointService>(nameof(EndpointService.UpdateAsync))] = (s, i, a) => s.Endpoints.UpdateAsync(i.Vpn, Make.Endpoint("Renamed", "198.51.100.10"), a, Ct),
        [Key<EndpointService>(nameof(EndpointService.DeleteAsync))] = (s, i, a) => s.Endpoints.DeleteAsync(i.Vpn, 1, a, Ct),
        [Key<AssignmentService>(nameof(AssignmentService.AssignFreeAsync))] = (s, i, a) => s.Assignments.AssignFreeAsync(i.Bob, i.Vpn, a, Ct),
        [Key<AssignmentService>(nameof(AssignmentService.AssignFreeToEachAsync))] = (s, i, a) => s.Assignments.AssignFreeToEachAsync([i.Bob], i.Vpn, a, Ct),
        [Key<AssignmentService>(nameof(AssignmentService.AssignAsync))] = (s, i, a) => s.Assignments.AssignAsync(i.Bob, i.Vpn, i.Ten, a, Ct),
        [Key<AssignmentService>(nameof(AssignmentService.ReassignAsync))] = (s, i, a) => s.Assignments.ReassignAsync(i.Assignment, i.Ten, a, Ct),
        [Key<AssignmentService>(nameof(AssignmentService.UnassignAsync))] = (s, i, a) => s.Assignments.UnassignAsync(i.Assignment, a, Ct),
    };

    private static string Key<TService>(string method) => $"{typeof(TService).Name}.{method}";

    public static TheoryData<string> MutatingMethods => new(Mutations.Keys);

    private async Task<Ids> SeedAsync()
    {
        var alice = await AddClientAsync("Alice", "192.168.1.2");
        var bob = await AddClientAsync("Bob", "192.168.1.3");
        var nine = await AddExternalAsync("203.0.113.9");
        var ten = await AddExternalAsync("203.0.113.10");
        var vpn = await AddEndpointAsync("Contivity", "198.51.100.10");
        return new Ids(alice, bob, nine, ten, vpn, await AssignAsync(alice, vpn, nine));
    }

    [Theory]
    [MemberData(nameof(MutatingMethods))]
    public async Task A_viewer_is_refused_and_nothing_changes(string method)
    {
        var ids = await SeedAsync();
        var inventory = await InventoryJsonAsync();
        var audit = (await AuditAsync()).Count;
        var raised = false;
        using var subscription = Inventory.Changes.NotifyOnChange(() => raised = true);

        var refusal = await Assert.ThrowsAsync<Forbidden>(() => Mutations[method](Inventory, ids, Actors.Viewer));

        Assert.Equal("vera is a viewer and cannot change the router or its inventory.", refusal.Message);
        Assert.Equal(inventory, await InventoryJsonAsync());
        Assert.Equal(audit, (await AuditAsync()).Count);
        Assert.False(raised);
    }

    [Theory]
    [MemberData(nameof(MutatingMethods))]
    public async Task The_same_call_by_an_administrator_goes_through(string method)
    {
        var ids = await SeedAsync();
        var before = await InventoryJsonAsync();

        await Mutations[method](Inventory, ids, Actors.Admin);

        Assert.NotEqual(before, await InventoryJsonAsync());
    }

    [Fact]
    public void Every_method_that_takes_an_actor_is_covered_here()
    {
        var takingAnActor = typeof(InventoryStore).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(InventoryStore).Namespace)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(takingAnActor, Mutations.Keys.Order(StringComparer.Ordinal));
    }
}
