namespace RouterAdmin.Firewall.Backends.Simulated;

/// <summary>The simulated backend's "kernel": a nat table in iptables-save format and a list of addresses, kept in the database.</summary>
public sealed class SimulatedKernel
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public required string NatTable { get; set; }
    public required string AddressesJson { get; set; }
}
