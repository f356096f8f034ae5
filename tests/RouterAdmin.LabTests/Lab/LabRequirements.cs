using Xunit;

namespace RouterAdmin.LabTests.Lab;

/// <summary>Thrown instead of skipping when CI demands the lab (ROUTERADMIN_LAB=require) and it cannot run.</summary>
public sealed class LabUnavailableException(string message) : Exception(message);

/// <summary>
/// Gate for every test that builds a <see cref="NetnsLab"/>: call <see cref="Ensure"/> first. Without root or the
/// tools a developer's run skips with the reason; with <c>ROUTERADMIN_LAB=require</c> (as CI sets) it fails.
/// </summary>
public static class LabRequirements
{
    public const string EnvironmentVariable = "ROUTERADMIN_LAB";
    public const string RequireValue = "require";

    public static readonly IReadOnlyList<string> RequiredTools = ["ip", "iptables", "iptables-save", "iptables-restore", "conntrack"];

    private static readonly Lazy<IReadOnlyList<string>> CurrentProblems =
        new(() => FindProblems(Native.GetEffectiveUserId(), LabTools.Find, Directory.Exists));

    /// <summary>What stops the lab from running on this machine; empty when it can run.</summary>
    public static IReadOnlyList<string> Problems => CurrentProblems.Value;

    public static bool AreRequired =>
        string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim(), RequireValue, StringComparison.OrdinalIgnoreCase);

    public static void Ensure()
    {
        var (verdict, reason) = Decide(Problems, AreRequired);
        if (verdict == LabVerdict.Fail)
            throw new LabUnavailableException(reason);
        if (verdict == LabVerdict.Skip)
            Assert.Skip(reason);
    }

    internal static IReadOnlyList<string> FindProblems(uint effectiveUserId, Func<string, string?> findTool, Func<string, bool> directoryExists)
    {
        List<string> problems = [];
        if (effectiveUserId != 0)
            problems.Add($"root (running as euid {effectiveUserId}; namespaces, iptables, conntrack and raw sockets need it)");
        var missing = RequiredTools.Where(tool => findTool(tool) is null).ToArray();
        if (missing.Length > 0)
            problems.Add($"the tools {string.Join(", ", missing)} (Debian: apt-get install iproute2 iptables conntrack)");
        if (!directoryExists("/proc/self/ns"))
            problems.Add("a kernel with namespace support (/proc/self/ns is missing)");
        return problems;
    }

    internal static LabDecision Decide(IReadOnlyList<string> problems, bool required)
    {
        if (problems.Count == 0)
            return new(LabVerdict.Run, "");
        var needs = $"The network-namespace lab needs {string.Join("; ", problems)}.";
        return required
            ? new(LabVerdict.Fail, $"{needs} {EnvironmentVariable}={RequireValue} is set, so this is a failure rather than a skip.")
            : new(LabVerdict.Skip, $"{needs} Run the tests as root to include them (CI sets {EnvironmentVariable}={RequireValue} to make this a failure).");
    }
}

internal readonly record struct LabDecision(LabVerdict Verdict, string Reason);

internal enum LabVerdict
{
    Run,
    Skip,
    Fail,
}
