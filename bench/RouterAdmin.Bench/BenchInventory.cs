using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.TestSupport;

namespace RouterAdmin.Bench;

/// <summary>The ids the small-change benchmark moves between: one assignment and the two addresses it alternates over.</summary>
public sealed record SeededInventory(int Assignments, int MovingAssignmentId, int OriginalAddressId, int SpareAddressId);

/// <summary>
/// The benchmark's inventory, put into a <see cref="TestConsole"/> (the tests' harness, with the iptables or nftables
/// backend driving the bench router's namespace) and the addresses it is made of.
/// </summary>
public static class BenchInventory
{
    public static readonly Actor Admin = new("bench", UserRole.Admin);

    public const int EndpointCount = 100;
    public const int AddressCount = 100;
    public const int MaxAssignments = EndpointCount * AddressCount;

    public static Task<TestConsole> StartConsoleAsync(string routerNamespace, string backend = "Iptables") =>
        TestConsole.StartAsync(new ConsoleSetup { Backend = backend, Namespace = routerNamespace, OnDisk = true });

    /// <summary>
    /// LAN 10.0.0.0/16 behind "wan"; 100 VPN endpoints, 100 external addresses (203.0.113.2–.101, not bound by
    /// RouterAdmin) plus one spare (.102); <paramref name="count"/> clients, client i leaving from address i % 100 towards
    /// endpoint i / 100, which respects both unique indexes. Bulk-inserted: setup, not what is measured.
    /// </summary>
    /// <param name="networkEndpoint">Make the first endpoint a network (<see cref="NetworkEndpoint"/>) instead of an address: the nftables map then needs interval keys.</param>
    public static async Task<SeededInventory> SeedAsync(this TestConsole console, int count, CancellationToken ct, bool networkEndpoint = false)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxAssignments);
        await console.Settings.UpdateAsync(new SettingsDraft { WanInterface = BenchRouter.WanInterface, LanSubnet = BenchRouter.LanSubnet }, Admin, ct);

        await using var db = await console.OpenDatabaseAsync();
        var endpoints = Enumerable.Range(0, EndpointCount)
            .Select(i => new VpnEndpoint { Name = $"vpn-{i:000}", Destination = i == 0 && networkEndpoint ? NetworkEndpoint : new IPNetwork(EndpointAddressOf(i), 32) })
            .ToArray();
        var addresses = Enumerable.Range(0, AddressCount + 1)
            .Select(i => new ExternalAddress { Address = ExternalAddressOf(i), Interface = BenchRouter.WanInterface, PrefixLength = 24, BindOnWan = false })
            .ToArray();
        var clients = Enumerable.Range(0, count)
            .Select(i => new Client { Name = $"client-{i:00000}", LanAddress = ClientAddressOf(i) })
            .ToArray();
        db.AddRange(endpoints);
        db.AddRange(addresses);
        db.AddRange(clients);
        await db.SaveChangesAsync(ct);

        var assignedAt = DateTimeOffset.UtcNow;
        var assignments = Enumerable.Range(0, count)
            .Select(i => new Assignment { ClientId = clients[i].Id, EndpointId = endpoints[i / AddressCount].Id, ExternalAddressId = addresses[i % AddressCount].Id, AssignedAt = assignedAt })
            .ToArray();
        db.AddRange(assignments);
        await db.SaveChangesAsync(ct);
        return new SeededInventory(count, assignments[0].Id, addresses[0].Id, addresses[AddressCount].Id);
    }

    /// <summary>The first endpoint when it is a network: documentation addresses apart from every single endpoint.</summary>
    public static readonly IPNetwork NetworkEndpoint = IPNetwork.Parse("198.51.100.64/26");

    /// <summary>10.0.1.10 onwards, 200 per /24, so no client sits on a network or broadcast address.</summary>
    public static IPAddress ClientAddressOf(int i) => IPAddress.Parse($"10.0.{1 + i / 200}.{10 + i % 200}");

    /// <summary>Documentation ranges only: 198.51.100.1–50 and 192.0.2.1–50.</summary>
    public static IPAddress EndpointAddressOf(int i) => IPAddress.Parse(i < 50 ? $"198.51.100.{1 + i}" : $"192.0.2.{1 + i - 50}");

    /// <summary>203.0.113.2 onwards; index <see cref="AddressCount"/> (203.0.113.102) is the spare no one holds.</summary>
    public static IPAddress ExternalAddressOf(int i) => IPAddress.Parse($"203.0.113.{2 + i}");
}
