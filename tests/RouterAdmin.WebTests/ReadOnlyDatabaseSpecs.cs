using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Security;
using RouterAdmin.TestSupport.Lab;
using Xunit;

namespace RouterAdmin.WebTests;

/// <summary>
/// The file system holding the database is remounted read-only under a running console (a real mount, not a file
/// mode: root ignores those). Reading goes on; every edit and apply is refused with a problem that says the database is
/// read-only, nothing of it is stored, and once the file system is writable again the same requests go through.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadOnlyDatabaseSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [LabFact]
    public async Task Edits_and_applies_on_a_read_only_database_are_refused_with_503_saying_so_and_go_through_once_it_is_writable()
    {
        await using var disk = await SmallDisk.MountAsync();
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp() with { Directory = disk.Folder });
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var admin = console.CreateClient();
        await TestConsole.SignInAsync(admin, "admin");
        using (var first = await admin.PostAsJsonAsync("/api/v1/clients", new { Name = "before", LanAddress = "192.168.1.2" }, Ct))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // The simulated router keeps its state in the database and creates it on the first read: read it once first.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/preview", Ct)).StatusCode);
        var stored = await StoredRowsAsync(console);

        await disk.MakeReadOnlyAsync(console.DatabasePath);

        using var status = await admin.GetAsync("/api/v1/status", Ct);
        using var page = await admin.GetAsync("/clients", Ct);
        using var edit = await admin.PostAsJsonAsync("/api/v1/clients", new { Name = "during", LanAddress = "192.168.1.3" }, Ct);
        var preview = await admin.GetFromJsonAsync<JsonElement>("/api/v1/preview", Ct);
        using var apply = await admin.PostAsJsonAsync("/api/v1/apply", new { Reason = "read-only", Fingerprint = preview.GetProperty("fingerprint").GetString() }, Ct);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        foreach (var refused in new[] { edit, apply })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("The database cannot be written", problem.GetProperty("title").GetString());
            Assert.StartsWith("The database is read-only", problem.GetProperty("detail").GetString());
            Assert.DoesNotContain("SQLite", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        await disk.MakeWritableAsync();
        Assert.Equal(stored, await StoredRowsAsync(console));
        using var again = await admin.PostAsJsonAsync("/api/v1/clients", new { Name = "after", LanAddress = "192.168.1.3" }, Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using var db = await console.OpenDatabaseAsync();
        Assert.Equal(["after", "before"], await db.Clients.OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(Ct));
        Assert.Empty(await db.Revisions.ToListAsync(Ct));
    }

    /// <summary>What the refused requests could have left behind: the rows of every table that an edit or an apply writes.</summary>
    private static async Task<string> StoredRowsAsync(TestConsole console)
    {
        await using var db = await console.OpenDatabaseAsync();
        return string.Join(',', await db.Clients.CountAsync(Ct), await db.Revisions.CountAsync(Ct), await db.Audit.CountAsync(Ct), await db.SimulatedKernel.CountAsync(Ct));
    }
}
