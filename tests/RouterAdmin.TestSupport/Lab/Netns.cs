using System.Net.Sockets;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// Runs code inside a named network namespace without a child process.
/// </summary>
/// <remarks>
/// The network namespace is a property of the OS thread, and a dedicated managed <see cref="Thread"/> is
/// exactly one OS thread, so the work runs on a fresh thread that joins the namespace and then ends. Never
/// do this on a thread-pool thread: it would go back to the pool still inside the namespace. A socket keeps
/// the namespace it was created in for its whole life, whichever thread uses it later.
/// </remarks>
public static class Netns
{
    public const string RunDirectory = "/run/netns";

    public static string PathOf(string name) => Path.Combine(RunDirectory, name);

    public static Task<T> RunAsync<T>(string name, Func<T> work)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Native.EnterNetworkNamespace(PathOf(name));
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        return result.Task;
    }

    public static Task RunAsync(string name, Action work) =>
        RunAsync(name, () =>
        {
            work();
            return true;
        });

    public static Task<Socket> OpenSocketAsync(string name, AddressFamily family, SocketType type, ProtocolType protocol) =>
        RunAsync(name, () => new Socket(family, type, protocol));

    /// <summary>A raw IPv4 socket for any IP protocol number (the kernel adds the IP header on send and delivers it on receive).</summary>
    public static Task<Socket> OpenRawSocketAsync(string name, int ipProtocol) =>
        RunAsync(name, () => Native.CreateRawIPv4Socket(ipProtocol));

    /// <summary>Writes a sysctl of the namespace; /proc/sys/net follows the network namespace of the writing thread.</summary>
    public static Task WriteSysctlAsync(string name, string key, string value) =>
        RunAsync(name, () => File.WriteAllText(SysctlPath(key), value));

    public static Task<string> ReadSysctlAsync(string name, string key) =>
        RunAsync(name, () => File.ReadAllText(SysctlPath(key)).Trim());

    private static string SysctlPath(string key) => Path.Combine("/proc/sys", key.Replace('.', '/'));
}
