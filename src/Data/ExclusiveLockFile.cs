namespace RouterAdmin.Data;

/// <summary>
/// An exclusive lock between processes: a file opened with <see cref="FileShare.None"/>, which on Linux is an exclusive
/// flock held until the stream is closed or the process dies (so a crash never leaves it taken). Opened for reading
/// only: the lock needs no write access, and a file held open for writing would keep its file system from being
/// remounted read-only (the console lock is held for the console's whole life).
/// </summary>
public static class ExclusiveLockFile
{
    /// <summary>The held lock, or null when another process holds it.</summary>
    public static FileStream? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
