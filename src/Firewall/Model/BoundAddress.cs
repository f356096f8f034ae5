using System.Net;

namespace RouterAdmin.Firewall.Model;

/// <summary>An IPv4 address on an interface, as <c>ip addr</c> knows it.</summary>
public sealed record BoundAddress(IPAddress Address, int PrefixLength, string Interface)
{
    /// <summary>
    /// The label RouterAdmin gives the addresses it adds (ip addr add … label eth1:ra), so it can tell them from
    /// addresses an administrator configured by hand and never removes those. Labels must start with the
    /// interface name and fit in 15 characters.
    /// </summary>
    public string OwnedLabel => Interface + ":ra";

    public const int MaxInterfaceLengthForLabel = 12;

    public override string ToString() => $"{Address}/{PrefixLength} dev {Interface}";
}

/// <summary>An address found on the router, with its label: ours when the label is <see cref="BoundAddress.OwnedLabel"/>.</summary>
public sealed record LiveAddress(BoundAddress Bound, string? Label)
{
    public bool IsOwned => Label == Bound.OwnedLabel;
}
