using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using Xunit;

namespace RouterAdmin.Tests.Support;

/// <summary>
/// Base for specs of the inventory service: a fresh migrated SQLite file per test, a fake clock, and a few one-line
/// ways to put things in the inventory through the service (so they are validated like any other input).
/// </summary>
public abstract class InventorySpecs : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = ConsoleSetup.FakeClockStart;

    protected TestDatabase Database { get; private set; } = null!;
    protected FakeTimeProvider Clock { get; } = new(Start);
    protected InventoryServices Inventory { get; private set; } = null!;
    protected ClientService Clients => Inventory.Clients;
    protected ExternalAddressService Addresses => Inventory.Addresses;
    protected EndpointService Endpoints => Inventory.Endpoints;
    protected AssignmentService Assignments => Inventory.Assignments;
    protected SettingsService Settings => Inventory.Settings;
    protected InventoryStore Store => Inventory.Store;
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Inventory = new InventoryServices(Database.Factory, Clock);
    }

    public virtual async ValueTask DisposeAsync()
    {
        Inventory.Dispose();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected Task<int> AddClientAsync(string name, string lanAddress) =>
        Clients.CreateAsync(Make.Client(name, lanAddress), Actors.Admin, Ct);

    protected Task<int> AddExternalAsync(string address, bool bindOnWan = false) =>
        Addresses.CreateAsync(Make.External(address, bindOnWan: bindOnWan), Actors.Admin, Ct);

    protected Task<int> AddEndpointAsync(string name, string destination) =>
        Endpoints.CreateAsync(Make.Endpoint(name, destination), Actors.Admin, Ct);

    protected async Task<int> AssignAsync(int clientId, int endpointId, int externalId) =>
        (await Assignments.AssignAsync(clientId, endpointId, externalId, Actors.Admin, Ct)).Id;

    /// <summary>The whole inventory as JSON: equal before and after means nothing changed.</summary>
    protected async Task<string> InventoryJsonAsync() => (await Store.CaptureAsync(Ct)).ToJson();

    protected async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = Database.NewContext();
        return await db.Audit.AsNoTracking().OrderBy(a => a.Id).ToListAsync(Ct);
    }
}
