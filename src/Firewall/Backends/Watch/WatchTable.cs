using System.Net;

namespace RouterAdmin.Firewall.Backends.Watch;

/// <summary>What the VPN watch table holds on the router: nothing, the watch for a LAN, or something edited by hand.</summary>
public sealed record WatchTableState(IPNetwork? Lan, bool Altered = false)
{
    public static readonly WatchTableState Absent = new(Lan: null);

    public bool IsAbsent => Lan is null && !Altered;

    /// <summary>Holds exactly the watch RouterAdmin installs for <paramref name="lan"/> (or nothing, for null).</summary>
    public bool Holds(IPNetwork? lan) => !Altered && Equals(Lan, lan);
}

/// <summary>
/// The VPN watch's table on the router: read, replaced in one transaction, described for the preview. It is
/// nf_tables whichever rule backend is chosen (iptables-nft's tables live there too), so one implementation serves both.
/// </summary>
public interface IVpnWatchTable
{
    Task<WatchTableState> ReadStateAsync(CancellationToken ct);

    /// <summary>Installs the watch for <paramref name="lan"/>, or removes it for null: one transaction either way.</summary>
    Task ApplyAsync(IPNetwork? lan, CancellationToken ct);

    /// <summary>The transaction's input, for the preview and the history.</summary>
    string Script(IPNetwork? lan);

    /// <summary>The table as lines, for the diff: none when there is no watch.</summary>
    IReadOnlyList<string> Lines(WatchTableState state);

    string DescribeApply();
}
