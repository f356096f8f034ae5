using System.Net;

namespace RouterAdmin.TestSupport.Lab;

public sealed record LabOptions
{
    /// <summary>Number of LAN clients (192.168.1.2, .3, …), each in its own namespace.</summary>
    public int ClientCount { get; init; } = 3;

    /// <summary>Adds the general <c>-s 192.168.1.0/24 -o wan -j MASQUERADE</c> rule that the project does not own.</summary>
    public bool Masquerade { get; init; } = true;

    /// <summary>Binds 203.0.113.2…6 on <c>wan</c>; normally the application under test binds its aliases itself.</summary>
    public bool BindAliases { get; init; }

    /// <summary>Test seam: throw after the named setup step, to prove a half-built lab is removed.</summary>
    public string? FailAfterStep { get; init; }
}

public sealed record LabClient(int Number, string Namespace, IPAddress Address);

/// <summary>Thrown when building a lab fails; the lab's namespaces have already been removed.</summary>
public sealed class NetnsLabSetupException(string prefix, string step, Exception inner)
    : Exception($"Building network-namespace lab {prefix} failed at step '{step}': {inner.Message}", inner)
{
    public string Prefix { get; } = prefix;
    public string Step { get; } = step;
}
