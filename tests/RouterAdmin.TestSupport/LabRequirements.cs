using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.TestSupport;

/// <summary>
/// What the network-namespace lab needs: root, the tools and a kernel with namespaces. Tests ask for it with
/// <see cref="LabFactAttribute"/>/<see cref="LabTheoryAttribute"/>; <see cref="NetnsLab.CreateAsync"/> asks again, so a
/// lab test whose attribute was forgotten still skips or fails by the same policy instead of erroring half-way.
/// </summary>
public static class LabRequirements
{
    public const string EnvironmentVariable = "ROUTERADMIN_LAB";

    public static readonly IReadOnlyList<string> RequiredTools = ["ip", "iptables", "iptables-save", "iptables-restore", "nft", "conntrack"];

    private static readonly Lazy<IReadOnlyList<string>> CurrentProblems =
        new(() => FindProblems(Native.GetEffectiveUserId(), LabTools.Find, Directory.Exists));

    /// <summary>What stops the lab from running on this machine; empty when it can run.</summary>
    public static IReadOnlyList<string> Problems => CurrentProblems.Value;

    public static RequirementDecision Current => Decide(Problems, RequirementDecision.IsDemanded(EnvironmentVariable));

    /// <summary>Skips the calling test with the reason, or fails it when CI demands the lab (see <see cref="RequirementDecision"/>).</summary>
    public static void Ensure() => Current.Enforce();

    public static IReadOnlyList<string> FindProblems(uint effectiveUserId, Func<string, string?> findTool, Func<string, bool> directoryExists)
    {
        List<string> problems = [];
        if (effectiveUserId != 0)
            problems.Add($"root (running as euid {effectiveUserId}; namespaces, iptables, conntrack and raw sockets need it)");
        var missing = RequiredTools.Where(tool => findTool(tool) is null).ToArray();
        if (missing.Length > 0)
            problems.Add($"the tools {string.Join(", ", missing)} (Debian: apt-get install iproute2 iptables nftables conntrack)");
        if (!directoryExists("/proc/self/ns"))
            problems.Add("a kernel with namespace support (/proc/self/ns is missing)");
        return problems;
    }

    public static RequirementDecision Decide(IReadOnlyList<string> problems, bool required) =>
        RequirementDecision.Decide("The network-namespace lab", problems, EnvironmentVariable, required,
            "Run the tests as root to include them");
}
