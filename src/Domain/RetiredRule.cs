namespace RouterAdmin.Domain;

/// <summary>
/// A hand-written rule in a chain RouterAdmin does not own, taken into the inventory by an import or an adoption.
/// The next apply deletes it by its exact text, because the owned chain now does its job.
/// </summary>
public sealed class RetiredRule
{
    public int Id { get; set; }

    /// <summary>The rule as iptables-save prints it, e.g. "-A POSTROUTING -s 192.168.1.5/32 -d … -j SNAT --to-source …".</summary>
    public required string RuleLine { get; set; }
}
