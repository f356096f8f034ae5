using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;

namespace RouterAdmin.Data;

/// <summary>
/// The database holds password hashes and the keys folder the keys that sign the cookies: only the console's own user
/// may read them. New files and folders are created that way (0600 / 0700); at every start the database files and the
/// keys folder, if someone opened them up, are closed again with a warning that says what they were. The database's
/// folder may be shared (a path such as /var/lib/routeradmin.db), so a wide one is only reported, never changed.
/// </summary>
public static class DataFolderPermissions
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The SQLite file's folder and the file itself, created owner-only before SQLite opens it (its -wal and -shm take its mode).</summary>
    public static void Secure(string databaseFile, ILogger? logger = null)
    {
        if (OperatingSystem.IsWindows()) return;
        logger ??= NullLogger.Instance;
        var folder = Path.GetDirectoryName(Path.GetFullPath(databaseFile))!;
        if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, FolderMode);
        else if ((File.GetUnixFileMode(folder) & ~FolderMode) is var wider && wider != 0)
            logger.LogWarning("{Folder}, which holds the database, is open to other users (mode {Mode}); make it {Wanted} (systemd: StateDirectoryMode=0700)",
                folder, Octal(File.GetUnixFileMode(folder)), Octal(FolderMode));
        if (!File.Exists(databaseFile))
        {
            // An empty file is an empty SQLite database; made here, it never exists with the default 0644.
            using (File.Open(databaseFile, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerFile })) { }
            return;
        }
        foreach (var file in new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm", databaseFile + "-journal" })
            if (File.Exists(file)) Tighten(file, OwnerFile, logger);
    }

    /// <summary>A folder (the data-protection keys) created owner-only, or tightened if it exists wider.</summary>
    public static DirectoryInfo OwnerOnlyFolder(string folder, ILogger? logger = null)
    {
        if (OperatingSystem.IsWindows()) return Directory.CreateDirectory(folder);
        if (!Directory.Exists(folder)) return Directory.CreateDirectory(folder, FolderMode);
        Tighten(folder, FolderMode, logger ?? NullLogger.Instance);
        return new DirectoryInfo(folder);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode wanted, ILogger logger)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & ~wanted) == 0) return;
        try
        {
            File.SetUnixFileMode(path, mode & wanted);
            logger.LogWarning("{Path} was readable by other users (mode {Mode}); it holds secrets, so it is now {Wanted}",
                path, Octal(mode), Octal(mode & wanted));
        }
        catch (UnauthorizedAccessException)
        {
            logger.LogWarning("{Path} is readable by other users (mode {Mode}) and cannot be changed by this user; make it {Wanted}",
                path, Octal(mode), Octal(wanted));
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture);
}
