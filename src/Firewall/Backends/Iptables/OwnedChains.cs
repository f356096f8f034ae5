namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>The names RouterAdmin claims in the nat table. Nothing outside these is ever written.</summary>
public static class OwnedChains
{
    public const string Snat = "ROUTERADMIN-SNAT";
    public const string Masquerade = "ROUTERADMIN-MASQ";
    public const string Postrouting = "POSTROUTING";
    public const string CommentPrefix = "routeradmin:";

    /// <summary>The one rule RouterAdmin keeps in POSTROUTING, at position 1, so its SNAT rules precede any MASQUERADE.</summary>
    public static NatRule JumpRule { get; } =
        new(Postrouting, ["-m", "comment", "--comment", CommentPrefix + " per-client SNAT, keep first", "-j", Snat]);

    public static bool IsOwned(string chain) => chain is Snat or Masquerade;
}
