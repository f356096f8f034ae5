using System.Reflection;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>A viewer sees everything and changes nothing: every mutating call refuses before it touches the database.</summary>
public sealed class ViewerSpecs : InventorySpecs
{
    private sealed record Ids(int Alice, int Bob, int Nine, int Ten, int Vpn, int Assignment);

    private static readonly Dictionary<string, Func<InventoryService, Ids, Actor, Task>> Mutations = new()
    {
        [nameof(InventoryService.UpdateSettingsAsync)] = (s, _, a) => s.UpdateSettingsAsync(new SettingsDraft { WanInterface = "wan0", LanSubnet = "192.168.0.0/16" }, a, Ct),
        [nameof(InventoryService.CreateClientAsync)] = (s, _, a) => s.CreateClientAsync(Make.Client("Mallory", "192.168.1.66"), a, Ct),
        [nameof(InventoryService.UpdateClientAsync)] = (s, i, a) => s.UpdateClientAsync(i.Alice, Make.Client("Renamed", "192.168.1.2"), a, Ct),
        [nameof(InventoryService.DeleteClientAsync)] = (s, i, a) => s.DeleteClientAsync(i.Alice, 1, a, Ct),
        [nameof(InventoryService.CreateExternalAddressAsync)] = (s, _, a) => s.CreateExternalAddressAsync(Make.External("203.0.113.66"), a, Ct),
        [nameof(InventoryService.UpdateExternalAddressAsync)] = (s, i, a) => s.UpdateExternalAddressAsync(i.Ten, Make.External("203.0.113.66"), a, Ct),
        [nameof(InventoryService.DeleteExternalAddressAsync)] = (s, i, a) => s.DeleteExternalAddressAsync(i.Nine, 1, a, Ct),
        [nameof(InventoryService.CreateEndpointAsync)] = (s, _, a) => s.CreateEndpointAsync(Make.Endpoint("Evil", "198.51.100.66"), a, Ct),
        [nameof(InventoryService.UpdateEndpointAsync)] = (s, i, a) => s.UpdateEndpointAsync(i.Vpn, Make.Endpoint("Renamed", "198.51.100.10"), a, Ct),
        [nameof(InventoryService.DeleteEndpointAsync)] = (s, i, a) => s.DeleteEndpointAsync(i.Vpn, 1, a, Ct),
        [nameof(InventoryService.AssignFreeAsync)] = (s, i, a) => s.AssignFreeAsync(i.Bob, i.Vpn, a, Ct),
        [nameof(InventoryService.AssignAsync)] = (s, i, a) => s.AssignAsync(i.Bob, i.Vpn, i.Ten, a, Ct),
        [nameof(InventoryService.ReassignAsync)] = (s, i, a) => s.ReassignAsync(i.Assignment, i.Ten, a, Ct),
        [nameof(InventoryService.UnassignAsync)] = (s, i, a) => s.UnassignAsync(i.Assignment, a, Ct),
    };

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
        Inventory.Changed += () => raised = true;

        var refusal = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Mutations[method](Inventory, ids, Actors.Viewer));

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
        var takingAnActor = typeof(InventoryService).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetParameters().Any(p => p.ParameterType == typeof(Actor)))
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(takingAnActor, Mutations.Keys.Order(StringComparer.Ordinal));
    }
}
