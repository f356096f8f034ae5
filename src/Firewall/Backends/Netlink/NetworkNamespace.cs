using System.Runtime.InteropServices;

namespace RouterAdmin.Firewall.Backends.Netlink;

/// <summary>
/// The configured network namespace (<c>RouterAdmin:Firewall:Namespace</c>, a name under <c>/run/netns</c>) for what
/// the console opens itself rather than through <c>ip netns exec</c>: a netlink socket belongs to the namespace of the
/// thread that opened it, for its whole life. Kept sockets must notice a namespace deleted and made again under the same
/// name, so each side names its namespace by the kernel's inode number for it.
/// </summary>
public static class NetworkNamespace
{
    private const int CloneNewNet = 0x4000_0000;
    private const string Directory = "/run/netns";

    public static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Moves the calling OS thread into the namespace; a pool thread must never be the one.</summary>
    public static void Join(string name)
    {
        var path = PathOf(name);
        using var handle = File.OpenHandle(path);
        if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
            throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"setns({path})");
    }

    /// <summary>The calling thread's network namespace, as the kernel names it: <c>net:[4026531840]</c>.</summary>
    public static ulong OfThisThread()
    {
        var link = new FileInfo("/proc/thread-self/ns/net").LinkTarget ?? "";
        return ulong.TryParse(link.AsSpan().Trim("net:[]"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inode)
            ? inode
            : throw new InvalidDataException($"/proc/thread-self/ns/net points at \"{link}\".");
    }

    /// <summary>The namespace a name under /run/netns stands for now: the inode of the namespace file bound there.</summary>
    public static ulong OfName(string name)
    {
        var path = PathOf(name);
        using var handle = File.OpenHandle(path);
        // struct stat starts with st_dev and st_ino, 8 bytes each, on every 64-bit Linux glibc supports.
        var stat = new byte[256];
        if (FStat((int)handle.DangerousGetHandle(), stat) != 0)
            throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"fstat({path})");
        return BitConverter.ToUInt64(stat, 8);
    }

    /// <summary>Runs <paramref name="work"/> on a new thread inside the namespace, which then ends.</summary>
    public static Task<T> OnThreadInsideAsync<T>(string name, Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Join(name);
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + name,
        };
        thread.Start();
        return result.Task;
    }

    // DllImport rather than LibraryImport: plain integers and a byte buffer need no marshalling code, and the console
    // compiles no unsafe code.
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nsType);

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int FStat(int fd, byte[] stat);
}
