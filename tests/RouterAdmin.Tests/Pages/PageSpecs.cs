using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.Tests.Support;
using Xunit;

namespace RouterAdmin.Tests.Pages;

/// <summary>
/// The shared bUnit setup: MudBlazor services with loose JS interop, the real inventory service on a fresh migrated
/// SQLite file, and a signed-in user (an administrator unless the spec signs in a viewer).
/// </summary>
public abstract class PageSpecs : BunitContext, IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;
    protected InventoryService Inventory { get; private set; } = null!;
    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    protected PageSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Inventory = new InventoryService(Database.Factory, new FakeTimeProvider(InventorySpecs.Start));
        Services.AddSingleton(Inventory);
        Services.AddScoped<CurrentUser>();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (Database is not null) await Database.DisposeAsync();
    }

    protected void SignInAsAdmin() => AddAuthorization().SetAuthorized("ada").SetRoles(nameof(UserRole.Admin));

    protected void SignInAsViewer() => AddAuthorization().SetAuthorized("vera").SetRoles(nameof(UserRole.Viewer));

    protected Task<int> AddClientAsync(string name, string lan) => Inventory.CreateClientAsync(Make.Client(name, lan), Actors.Admin, Ct);
    protected Task<int> AddExternalAsync(string address) => Inventory.CreateExternalAddressAsync(Make.External(address), Actors.Admin, Ct);
    protected Task<int> AddEndpointAsync(string name, string destination) => Inventory.CreateEndpointAsync(Make.Endpoint(name, destination), Actors.Admin, Ct);
}
