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
    protected InventoryServices Inventory { get; private set; } = null!;
    protected ClientService Clients => Inventory.Clients;
    protected ExternalAddressService Addresses => Inventory.Addresses;
    protected EndpointService Endpoints => Inventory.Endpoints;
    protected AssignmentService Assignments => Inventory.Assignments;
    protected SettingsService Settings => Inventory.Settings;
    protected InventoryStore Store => Inventory.Store;
    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    protected PageSpecs()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Inventory = new InventoryServices(Database.Factory, new FakeTimeProvider(InventorySpecs.Start));
        Inventory.AddTo(Services);
        Services.AddScoped<CurrentUser>();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        Inventory?.Dispose();
        if (Database is not null) await Database.DisposeAsync();
    }

    protected void SignInAsAdmin() => AddAuthorization().SetAuthorized("ada").SetRoles(nameof(UserRole.Admin));

    protected void SignInAsViewer() => AddAuthorization().SetAuthorized("vera").SetRoles(nameof(UserRole.Viewer));

    protected Task<int> AddClientAsync(string name, string lan) => Clients.CreateAsync(Make.Client(name, lan), Actors.Admin, Ct);
    protected Task<int> AddExternalAsync(string address) => Addresses.CreateAsync(Make.External(address), Actors.Admin, Ct);
    protected Task<int> AddEndpointAsync(string name, string destination) => Endpoints.CreateAsync(Make.Endpoint(name, destination), Actors.Admin, Ct);
}
