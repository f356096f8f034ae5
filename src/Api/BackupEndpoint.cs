using RouterAdmin.Data;
using RouterAdmin.Security;

namespace RouterAdmin.Api;

/// <summary>The Settings page's "Download a backup": administrators only (a viewer gets 403), as a file download.</summary>
internal static class BackupEndpoint
{
    public const string Path = "/api/v1/backup";

    public static void MapBackupDownload(this IEndpointRouteBuilder endpoints, string dataFolder) =>
        endpoints.MapGet(Path, async (HttpContext http, DatabaseBackup backup, TimeProvider clock, CancellationToken ct) =>
        {
            // Beside the database (same file system, same owner), deleted once the response is sent.
            var file = System.IO.Path.Combine(dataFolder, $"download-{Guid.NewGuid():N}.db");
            await backup.BackupToAsync(file, UserService.ActorOf(http.User).Name, ct, purpose: "downloaded from the Settings page");
            http.Response.Headers.CacheControl = "no-store";
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return Results.File(stream, "application/vnd.sqlite3", $"routeradmin-{clock.GetUtcNow():yyyyMMdd-HHmmss}.db");
        }).RequireAuthorization(policy => policy.RequireRole(RoleNames.Admin)).WithTags("Backup");
}
