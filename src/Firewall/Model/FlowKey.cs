using System.Net;

namespace RouterAdmin.Firewall.Model;

/// <summary>Traffic between these two whose conntrack entries must go, because its SNAT mapping changed or went away.</summary>
public sealed record FlowKey(IPNetwork Source, IPNetwork Destination)
{
    public bool Matches(IPAddress source, IPAddress destination) => Source.Contains(source) && Destination.Contains(destination);

    public override string ToString() => $"{Source} → {Destination}";
}
