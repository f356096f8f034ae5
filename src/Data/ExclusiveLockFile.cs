namespace RouterAdmin.Data;

/// <summary>
/// An exclusive lock between processes: a file opened with <see cref="FileShare.None"/>, which on Linux is an exclusive
/// flock held until the stream is closed or the process dies (so a crash never leaves it taken).
/// </summary>
public static class ExclusiveLockFile
{
    /// <summary>The held lock, or null when another process holds it.</summary>
    public static FileStream? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
