using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>The few libc calls the lab needs; .NET has no managed API for network namespaces.</summary>
internal static partial class Native
{
    private const string Libc = "libc";
    private const int CloneNewNet = 0x4000_0000;
    private const int OpenReadOnly = 0;
    private const int OpenCloseOnExec = 0x8_0000;
    private const int AddressFamilyInet = 2;
    private const int SocketRaw = 3;
    private const int SocketCloseOnExec = 0x8_0000;

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    private static partial int CreateSocket(int domain, int type, int protocol);

    /// <summary>
    /// socket(AF_INET, SOCK_RAW, protocol) in the calling thread's namespace. .NET's own Socket constructor refuses
    /// protocols outside a fixed list (ESP, 50, fails with "Protocol not supported") although the kernel accepts
    /// any; a Socket wrapped around the handle works normally, async included.
    /// </summary>
    internal static Socket CreateRawIPv4Socket(int protocol)
    {
        var fd = CreateSocket(AddressFamilyInet, SocketRaw | SocketCloseOnExec, protocol);
        if (fd < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"socket(AF_INET, SOCK_RAW, {protocol}) failed");
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>Moves the calling OS thread (only that thread) into the network namespace at <paramref name="path"/>.</summary>
    internal static void EnterNetworkNamespace(string path)
    {
        var fd = Open(path, OpenReadOnly | OpenCloseOnExec);
        if (fd < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"open({path}) failed");
        try
        {
            if (SetNs(fd, CloneNewNet) != 0)
                throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns({path}, CLONE_NEWNET) failed");
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
