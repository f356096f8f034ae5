using System.Reflection;
using RouterAdmin.Inventory;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Inventory;

/// <summary>The pages get view records, never EF entities: a tracked entity in a long-lived circuit is a bug waiting.</summary>
public sealed class ReadModelSpecs : InventorySpecs
{
    [Fact]
    public void No_inventory_service_returns_an_entity_type()
    {
        using var db = Database.NewContext();
        var entities = db.Model.GetEntityTypes().Select(e => e.ClrType).ToHashSet();
        var services = new[] { typeof(ClientService), typeof(ExternalAddressService), typeof(EndpointService), typeof(AssignmentService), typeof(SettingsService), typeof(InventoryStore) };

        var leaks = services
            .SelectMany(s => s.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => Mentioned(m.ReturnType).Any(entities.Contains))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        Assert.Empty(leaks);
    }

    private static IEnumerable<Type> Mentioned(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Mentioned).Prepend(type) : [type];
}
