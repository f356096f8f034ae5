namespace RouterAdmin.Refusals;

/// <summary>Why the database could not be written: the cause decides what the administrator has to do about it.</summary>
public enum StorageFault
{
    /// <summary>The file system holding the database has no space left.</summary>
    DiskFull,
    /// <summary>The database file or its file system is read-only.</summary>
    ReadOnly,
}

/// <summary>
/// A change the database could not store: nothing of it was saved (SQLite rolled the transaction back), and the
/// console goes on reading. Says in words what is wrong with the disk, never an SQLite error code.
/// </summary>
public sealed class StorageUnavailable(StorageFault fault, string folder) : Refusal(Describe(fault, folder))
{
    public StorageFault Fault { get; } = fault;

    private static string Describe(StorageFault fault, string folder) => fault switch
    {
        StorageFault.DiskFull => $"The disk is full: the database in {folder} could not be written, so nothing was saved. Free some space there and try again.",
        _ => $"The database is read-only: its file system ({folder}) no longer accepts writes, so nothing was saved. Make it writable again (e.g. remount it read-write) and try again.",
    };
}
