using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.Bench;

/// <summary>
/// ESP (IP protocol 50) as the watch benchmark sends and receives it: raw sockets, the kernel writing the IP header, each
/// packet an ESP header (SPI, then a sequence number that grows by one per packet, RFC 4303) and a payload of the size
/// of a small tunnelled packet. Nothing here decrypts: the router only ever looks at the IP header and conntrack.
/// </summary>
public static class EspStream
{
    public const int Protocol = 50;
    public const int HeaderBytes = 8;
    public const int PayloadBytes = 64;
    public const int PacketBytes = HeaderBytes + PayloadBytes;

    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    /// <summary>A raw ESP socket in <paramref name="ns"/> whose packets leave from <paramref name="source"/> (one of the namespace's addresses).</summary>
    public static async Task<Socket> OpenSenderAsync(string ns, IPAddress source)
    {
        var socket = await Netns.OpenRawSocketAsync(ns, Protocol);
        socket.Bind(new IPEndPoint(source, 0));
        return socket;
    }

    /// <summary>
    /// A raw ESP socket in <paramref name="ns"/> that receives every ESP packet arriving there, with a buffer forced (root)
    /// big enough for <paramref name="packets"/> of them: the sink is read only after a send loop, never during one.
    /// </summary>
    public static async Task<Socket> OpenSinkAsync(string ns, int packets)
    {
        var socket = await Netns.OpenRawSocketAsync(ns, Protocol);
        // About 1 KiB of buffer per queued small packet (its clone's truesize); twice that, as FlowRate's sink.
        socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(Math.Max(8 << 20, packets * 2048)));
        return socket;
    }

    /// <summary>One packet now (setting up a flow, answering one): not timed.</summary>
    public static void SendOne(Socket sender, IPAddress destination, uint spi, uint sequence) =>
        sender.SendTo(Packet(spi, sequence), SocketFlags.None, new IPEndPoint(destination, 0));

    /// <summary>
    /// <paramref name="count"/> packets back to back on a dedicated thread, sequence numbers from
    /// <paramref name="firstSequence"/>; returns the loop's wall-clock and sender-thread CPU seconds.
    /// </summary>
    public static Task<(double Seconds, double CpuSeconds)> SendAsync(Socket sender, IPAddress destination, uint spi, uint firstSequence, int count)
    {
        var done = new TaskCompletionSource<(double, double)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var address = new IPEndPoint(destination, 0).Serialize();
                var packet = Packet(spi, firstSequence);
                var cpuStarted = ThreadCpu.Seconds();
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), firstSequence + (uint)i);
                    sender.SendTo(packet, SocketFlags.None, address);
                }
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                done.SetResult((seconds, ThreadCpu.Seconds() - cpuStarted));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "ESP sender",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Reads everything queued at the sink until it stays quiet for <paramref name="quiet"/>: how many packets came, and
    /// how many of them carry <paramref name="spi"/> from <paramref name="expectedSource"/>.
    /// </summary>
    public static (long Arrived, long Expected) Drain(Socket sink, uint spi, IPAddress expectedSource, TimeSpan quiet)
    {
        var buffer = new byte[2048];
        long arrived = 0, expected = 0;
        while (sink.Poll(quiet, SelectMode.SelectRead))
        {
            var length = sink.Receive(buffer);
            arrived++;
            // The raw socket delivers the IP header too: the source at 12, ESP after IHL × 4 bytes.
            var headerLength = (buffer[0] & 0x0F) * 4;
            if (length >= headerLength + HeaderBytes
                && new IPAddress(buffer.AsSpan(12, 4)).Equals(expectedSource)
                && BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(headerLength)) == spi)
                expected++;
        }
        return (arrived, expected);
    }

    private static byte[] Packet(uint spi, uint sequence)
    {
        var packet = new byte[PacketBytes];
        BinaryPrimitives.WriteUInt32BigEndian(packet, spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), sequence);
        // A payload that is not all zeros, like ciphertext; its content means nothing to the router.
        for (var i = HeaderBytes; i < packet.Length; i++) packet[i] = (byte)(i * 37);
        return packet;
    }
}

/// <summary>
/// CPU time of the kernel's ksoftirqd threads. Softirq work that runs in the sender's context is in its thread CPU time;
/// work the kernel defers to ksoftirqd (under softirq pressure) is not, so the benchmark reports how much ksoftirqd
/// ran during its loops: a bound on what the sender's figure may have missed (it includes the whole machine's).
/// </summary>
internal static class Ksoftirqd
{
    private static readonly Lazy<string[]> StatFiles = new(() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Where(d => ReadOrEmpty(Path.Combine(d, "comm")).StartsWith("ksoftirqd/", StringComparison.Ordinal))
            .Select(d => Path.Combine(d, "stat"))]);

    private static readonly Lazy<double> TicksPerSecond = new(() => SysConf(ClockTicks) is > 0 and var hz ? hz : 100);

    private const int ClockTicks = 2;

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    public static double Milliseconds()
    {
        long ticks = 0;
        foreach (var file in StatFiles.Value)
        {
            // "pid (comm) state ppid … utime stime …": fields 14 and 15, counted after the closing parenthesis.
            var stat = ReadOrEmpty(file);
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 12)
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return ticks * 1000 / TicksPerSecond.Value;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
