using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.History;

namespace RouterAdmin.Data;

/// <summary>
/// A consistent copy of the whole database (inventory, users, history, audit) made with SQLite's online backup API
/// while the console runs: the copy is taken in one step under a read transaction, which in WAL mode blocks no writer,
/// so an apply going on meanwhile is either wholly in the copy or not at all. The file is created 0600 (it holds the
/// users' password hashes) and only appears under its name once complete.
/// </summary>
public sealed class DatabaseBackup(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes the copy to <paramref name="destination"/> (replacing a file there) and returns its size in bytes.</summary>
    /// <param name="purpose">What the audit entry says the copy was for; the destination when null.</param>
    public async Task<long> BackupToAsync(string destination, string actor, CancellationToken ct, string? purpose = null)
    {
        var target = Path.GetFullPath(destination);
        var folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        // Created empty with its final mode before SQLite opens it, so the copy is never readable by others, not even briefly.
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = OwnerOnly;
        new FileStream(partial, create).Dispose();
        try
        {
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                var source = new SqliteConnection(db.Database.GetConnectionString());
                await using (source)
                {
                    await source.OpenAsync(ct);
                    await Task.Run(() => Copy(source, partial), ct);
                }
            }
            File.Move(partial, target, overwrite: true);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var bytes = new FileInfo(target).Length;
            db.Record(clock, actor, AuditActions.Backup, "Database", $"{bytes / 1024.0:N0} KiB, {purpose ?? "to " + target}");
            await db.SaveChangesAsync(ct);
            return bytes;
        }
    }

    private static void Copy(SqliteConnection source, string file)
    {
        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        copy.Open();
        source.BackupDatabase(copy);
        using var command = copy.CreateCommand();
        // One self-contained file (no -wal beside it), checked before it replaces anything.
        command.CommandText = "PRAGMA journal_mode=DELETE;";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA quick_check;";
        if (command.ExecuteScalar() as string != "ok")
            throw new InvalidOperationException("The backup copy failed SQLite's quick_check.");
    }
}
