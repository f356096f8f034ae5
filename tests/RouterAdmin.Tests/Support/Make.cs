using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Inventory;

namespace RouterAdmin.Tests.Support;

/// <summary>Drafts and settings as an administrator would type them. The default LAN is the seeded 192.168.1.0/24.</summary>
public static class Make
{
    public static RouterSettings Settings(string lan = "192.168.1.0/24", string wan = "eth1") =>
        new() { WanInterface = wan, LanSubnet = IPNetwork.Parse(lan) };

    public static ClientDraft Client(string name = "Alice's laptop", string lanAddress = "192.168.1.2", string mac = "", string notes = "", bool enabled = true) =>
        new() { Name = name, LanAddress = lanAddress, MacAddress = mac, Notes = notes, Enabled = enabled };

    public static ExternalAddressDraft External(string address = "203.0.113.2", string iface = "eth1", int prefixLength = 24, bool bindOnWan = false, string notes = "") =>
        new() { Address = address, Interface = iface, PrefixLength = prefixLength, BindOnWan = bindOnWan, Notes = notes };

    public static EndpointDraft Endpoint(string name = "Contivity", string destination = "198.51.100.10", string notes = "") =>
        new() { Name = name, Destination = destination, Notes = notes };
}
