using System.Reflection;
using System.Runtime.InteropServices;

namespace RouterAdmin.Bench;

/// <summary>The facts a reader needs to compare these figures with their own machine's.</summary>
public sealed record MachineInfo(
    DateTimeOffset Date,
    string Cpu,
    int Cores,
    string Memory,
    string Kernel,
    string OperatingSystem,
    string Iptables,
    string Conntrack,
    string Nft,
    string Runtime,
    string Build)
{
    public bool IsReleaseBuild => Build == "Release";

    public static async Task<MachineInfo> ReadAsync(CancellationToken ct) => new(
        DateTimeOffset.UtcNow,
        FieldOf("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        FieldOf("/proc/meminfo", "MemTotal", ':') is { } kb && long.TryParse(kb.Split(' ')[0], out var k) ? $"{k / 1024.0 / 1024:0.0} GiB" : "?",
        ReadOrUnknown("/proc/sys/kernel/osrelease"),
        FieldOf("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription,
        await VersionOfAsync("iptables", ct),
        await VersionOfAsync("conntrack", ct),
        await VersionOfAsync("nft", ct),
        RuntimeInformation.FrameworkDescription,
        typeof(MachineInfo).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "?");

    private static async Task<string> VersionOfAsync(string tool, CancellationToken ct)
    {
        try
        {
            return (await Shell.RunAsync(tool, ["--version"], ct: ct)).Trim();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages: other work on the machine shows up in every figure.</summary>
    public static string LoadAverage() => string.Join(" / ", ReadOrUnknown("/proc/loadavg").Split(' ').Take(3));

    private static string ReadOrUnknown(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";

    private static string? FieldOf(string path, string key, char separator) =>
        File.Exists(path)
            ? File.ReadLines(path)
                .Select(line => line.Split(separator, 2))
                .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
                .Select(parts => parts[1].Trim())
                .FirstOrDefault()
            : null;
}
