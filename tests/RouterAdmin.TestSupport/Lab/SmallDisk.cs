using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// A small tmpfs of the test's own (root) to hold a console's data folder, and the two ways a router's disk lets its
/// database down: it fills up, or its file system turns read-only. Real file-system faults, not file modes (root
/// ignores those). Give <see cref="Folder"/> as <see cref="ConsoleSetup.Directory"/>.
/// </summary>
public sealed partial class SmallDisk : IAsyncDisposable
{
    private const int PersistWal = 10; // SQLITE_FCNTL_PERSIST_WAL

    private SmallDisk(string mountPoint) => MountPoint = mountPoint;

    public string MountPoint { get; }
    public string Folder => Path.Combine(MountPoint, "data");
    private string Filler => Path.Combine(MountPoint, "filler");

    public static async Task<SmallDisk> MountAsync(int megabytes = 32)
    {
        var disk = new SmallDisk(Directory.CreateTempSubdirectory("routeradmin-disk-").FullName);
        await LabCommand.RunAsync("mount", ["-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", disk.MountPoint]);
        Directory.CreateDirectory(disk.Folder);
        return disk;
    }

    /// <summary>Writes one file until the file system refuses (ENOSPC): synchronous, so it can run inside a progress event.</summary>
    public void Fill()
    {
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[64 * 1024];
        try
        {
            while (true) filler.Write(block);
        }
        catch (IOException)
        {
            // Full, to the last page: a partial block was refused too.
        }
        for (var size = 4096; size > 0; size /= 2)
            try { filler.Write(block, 0, size); } catch (IOException) { }
    }

    public bool IsFull => new DriveInfo(MountPoint).AvailableFreeSpace < 4096;

    public void Free() => File.Delete(Filler);

    /// <summary>
    /// Remounts the file system read-only, as the kernel does to a failing disk. Linux refuses while any file on it is
    /// open for writing, so first every pooled SQLite connection closes; the last to close keeps the write-ahead log and
    /// its index (SQLite would delete them) because a disk that fails under a running console leaves them there, and
    /// readers need them.
    /// </summary>
    public Task MakeReadOnlyAsync(string databaseFile) =>
        Eventually.UntilAsync(async () =>
        {
            SqliteConnection.ClearAllPools();
            CloseKeepingTheLog(databaseFile);
            return File.Exists(databaseFile + "-wal") && File.Exists(databaseFile + "-shm")
                && (await LabCommand.TryRunAsync("mount", ["-o", "remount,ro", MountPoint])).Succeeded;
        }, $"{MountPoint} to remount read-only (nothing open for writing, the log kept)");

    /// <summary>Opens and closes one connection that keeps the log when it is the last to close (a pooled one may close later).</summary>
    private static void CloseKeepingTheLog(string databaseFile)
    {
        using var last = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Pooling = false }.ToString());
        last.Open();
        var on = 1;
        var rc = sqlite3_file_control(last.Handle!.DangerousGetHandle(), "main", PersistWal, ref on);
        if (rc != 0) throw new InvalidOperationException($"sqlite3_file_control(PERSIST_WAL) returned {rc}");
        using var read = last.CreateCommand();
        read.CommandText = "SELECT count(*) FROM sqlite_master"; // opens the log and its index, as any reader does
        read.ExecuteScalar();
    }

    public Task MakeWritableAsync() => LabCommand.RunAsync("mount", ["-o", "remount,rw", MountPoint]);

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        // Lazily: a connection a failed test left open must not keep the mount (and the test) hanging.
        await LabCommand.TryRunAsync("umount", ["-l", MountPoint]);
        try { Directory.Delete(MountPoint); } catch (IOException) { }
    }

    [LibraryImport("e_sqlite3", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int sqlite3_file_control(IntPtr database, string name, int operation, ref int argument);
}
