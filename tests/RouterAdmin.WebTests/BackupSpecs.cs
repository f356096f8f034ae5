using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>A backup downloaded while the console works comes back whole: stop, copy, start, and everything is there.</summary>
public sealed class BackupSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Actor Admin = new("admin", UserRole.Admin);
    private const int Addresses = 60;

    [Fact]
    public async Task Only_an_administrator_may_download_a_backup()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        await console.CreateUserAsync("viewer", UserRole.Viewer);
        using var anonymous = console.CreateClient();
        using var viewer = console.CreateClient();
        using var admin = console.CreateClient();
        await TestConsole.SignInAsync(viewer, "viewer");
        await TestConsole.SignInAsync(admin, "admin");

        using var refusedAnonymous = await anonymous.GetAsync("/api/v1/backup", Ct);
        using var refusedViewer = await viewer.GetAsync("/api/v1/backup", Ct);
        using var download = await admin.GetAsync("/api/v1/backup", Ct);
        var bytes = await download.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refusedAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedViewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^routeradmin-\d{8}-\d{6}\.db$", download.Content.Headers.ContentDisposition?.FileName);
        Assert.True(download.Headers.CacheControl?.NoStore);
        Assert.Equal("SQLite format 3\0", System.Text.Encoding.ASCII.GetString(bytes, 0, 16));
        var audit = await console.Services.GetRequiredService<HistoryService>().GetAuditAsync(new PageRequest(0, 50, AuditActions.Backup), Ct);
        Assert.Contains(audit.Items, a => a.Action == AuditActions.Backup && a.Actor == "admin");
        // The temporary copy beside the database is gone once sent.
        for (var i = 0; i < 50 && Directory.GetFiles(console.Directory, "download-*").Length > 0; i++) await Task.Delay(50, Ct);
        Assert.Empty(Directory.GetFiles(console.Directory, "download-*"));
    }

    [Fact]
    public async Task A_backup_downloaded_while_changes_are_applied_brings_back_the_inventory_users_history_and_the_confirmed_revision()
    {
        var restoreFolder = Directory.CreateTempSubdirectory("routeradmin-restore-").FullName;
        var copy = Path.Combine(restoreFolder, "routeradmin.db");
        int confirmed;
        int applied;
        try
        {
            await using (var console = await TestConsole.StartAsync(ConsoleSetup.WebApp()))
            {
                await console.CreateUserAsync("admin", UserRole.Admin);
                await console.CreateUserAsync("viewer", UserRole.Viewer);
                var services = console.Services;
                await services.GetRequiredService<SettingsService>().UpdateAsync(new SettingsDraft { WanInterface = "eth1", LanSubnet = "10.0.0.0/16" }, Admin, Ct);
                var endpoint = await services.GetRequiredService<EndpointService>().CreateAsync(new EndpointDraft { Name = "Contivity", Destination = "198.51.100.10" }, Admin, Ct);
                for (var i = 0; i < Addresses; i++)
                    await services.GetRequiredService<ExternalAddressService>().CreateAsync(new ExternalAddressDraft { Address = $"203.0.113.{2 + i}", Interface = "eth1", PrefixLength = 24 }, Admin, Ct);
                await AddClientAsync(services, endpoint, 0);
                var engine = services.GetRequiredService<ApplyEngine>();
                var preview = await engine.PreviewApplyAsync(Ct);
                confirmed = (await engine.ApplyAsync(new ApplyRequest(Admin, "confirmed before the backup", preview.Fingerprint, TimeSpan.FromMinutes(5)), Ct)).RevisionId!.Value;
                await services.GetRequiredService<ConfirmationService>().ConfirmAsync(confirmed, Admin, Ct);

                // An administrator keeps adding and applying clients while another downloads the backup,
                // until the pool runs out (a slow download must not turn into a full pool).
                using var stop = new CancellationTokenSource();
                var appliedBefore = 0;
                var writes = Task.Run(async () =>
                {
                    for (var i = 1; i < Addresses && !stop.IsCancellationRequested; i++)
                    {
                        await AddClientAsync(services, endpoint, i);
                        var next = await engine.PreviewApplyAsync(CancellationToken.None);
                        var result = await engine.ApplyAsync(new ApplyRequest(Admin, $"client {i}", next.Fingerprint), CancellationToken.None);
                        Assert.Equal(ApplyResultKind.Applied, result.Kind);
                        Interlocked.Increment(ref appliedBefore);
                    }
                }, CancellationToken.None);
                for (var i = 0; i < 200 && Volatile.Read(ref appliedBefore) < 3; i++) await Task.Delay(50, Ct);
                using var admin = console.CreateClient();
                await TestConsole.SignInAsync(admin, "admin");
                var whileRunning = Volatile.Read(ref appliedBefore);
                await File.WriteAllBytesAsync(copy, await admin.GetByteArrayAsync("/api/v1/backup", Ct), Ct);
                for (var i = 0; i < 200 && Volatile.Read(ref appliedBefore) < whileRunning + 3; i++) await Task.Delay(50, Ct);
                await stop.CancelAsync();
                await writes;
                applied = Volatile.Read(ref appliedBefore);
                Assert.True(whileRunning >= 3 && applied >= whileRunning + 3, $"changes were applied before ({whileRunning}) and after ({applied}) the download");
            }

            // Stop, copy, start: a console on the copy.
            await using var restored = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Settings = new Dictionary<string, string?> { ["RouterAdmin:Database:Path"] = copy } });
            using var signedIn = restored.CreateClient();
            Assert.Equal(HttpStatusCode.Redirect, (await TestConsole.SignInAsync(signedIn, "admin")).StatusCode);
            using var viewer = restored.CreateClient();
            Assert.Equal(HttpStatusCode.Redirect, (await TestConsole.SignInAsync(viewer, "viewer")).StatusCode);

            var inventory = await restored.Services.GetRequiredService<InventoryStore>().CaptureAsync(Ct);
            Assert.Contains(inventory.Clients, c => c.Name == "client-000");
            Assert.InRange(inventory.Clients.Count, 4, applied + 2);
            Assert.Equal(Addresses, inventory.ExternalAddresses.Count);

            var history = restored.Services.GetRequiredService<HistoryService>();
            var revisions = await history.GetRevisionsAsync(new PageRequest(0, 500), Ct);
            Assert.InRange(revisions.Total, 4, applied + 1);
            // Every revision in the copy is whole: its snapshot's chunks all made it (the details page puts them together).
            foreach (var row in revisions.Items)
                Assert.NotNull(await history.GetDetailsAsync(row.Id, Ct));
            var first = await history.GetRevisionAsync(confirmed, Ct);
            Assert.Equal((RevisionStatus.Applied, "admin"), (first!.Status, first.ConfirmedBy));

            // The boot-time restore on the copy puts the last confirmed revision back, and the router then matches the inventory.
            var engineOnCopy = restored.Services.GetRequiredService<ApplyEngine>();
            var restore = await engineOnCopy.RestoreConfirmedAsync(Ct);
            Assert.True(restore is { Succeeded: true }, restore?.Message);
            var check = await engineOnCopy.CheckAsync(Ct);
            Assert.True(check.Drift is { InSync: true }, "the router matches the last revision in the copy");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(restoreFolder, recursive: true);
        }
    }

    private static async Task AddClientAsync(IServiceProvider services, int endpoint, int i)
    {
        var client = await services.GetRequiredService<ClientService>().CreateAsync(new ClientDraft { Name = $"client-{i:000}", LanAddress = $"10.0.1.{10 + i}" }, Admin, Ct);
        await services.GetRequiredService<AssignmentService>().AssignFreeAsync(client, endpoint, Admin, CancellationToken.None);
    }
}
