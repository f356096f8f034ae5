using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Model;

using RouterAdmin.Firewall.Backends.Iptables;

namespace RouterAdmin.Firewall.Backends.Simulated;

/// <summary>
/// For a laptop or a demo: the "kernel" is a nat table and an address list in the database, changed with the same
/// restore scripts the real backend would run. Preview, apply, history and rollback all work; nothing reaches the kernel.
/// </summary>
public sealed class SimulatedBackend(IDbContextFactory<AppDbContext> dbFactory) : IIptablesHost
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Name => "simulated";
    public bool TouchesKernel => false;
    public string? Namespace => null;

    public async Task<string> SaveNatTableAsync(bool withCounters, CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken)).NatTable;

    /// <summary>The simulated table counts no changes: every read is a full one.</summary>
    public Task<Nftables.NftGeneration.Reading?> ReadGenerationAsync(CancellationToken cancellationToken) =>
        Task.FromResult<Nftables.NftGeneration.Reading?>(null);

    public async Task<IReadOnlyList<LiveAddress>> ReadAddressesAsync(CancellationToken cancellationToken) =>
        Addresses(await LoadAsync(cancellationToken));

    public Task RestoreAsync(string script, CancellationToken cancellationToken) =>
        ChangeAsync(kernel => kernel.NatTable = IptablesSaveParser.Format(RestoreInterpreter.Apply(IptablesSaveParser.Parse(kernel.NatTable), script)), cancellationToken);

    public Task AddAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        ChangeAsync(kernel =>
        {
            var addresses = Addresses(kernel).ToList();
            if (addresses.Any(a => a.Bound.Address.Equals(address.Address) && a.Bound.Interface == address.Interface))
                throw new FirewallCommandException(DescribeAddAddress(address), 2, "RTNETLINK answers: File exists");
            addresses.Add(new LiveAddress(address, address.OwnedLabel));
            kernel.AddressesJson = Serialize(addresses);
        }, cancellationToken);

    public Task DeleteAddressAsync(BoundAddress address, CancellationToken cancellationToken) =>
        ChangeAsync(kernel =>
        {
            var addresses = Addresses(kernel).ToList();
            if (addresses.RemoveAll(a => a.Bound == address) == 0)
                throw new FirewallCommandException(DescribeDeleteAddress(address), 2, "RTNETLINK answers: Cannot assign requested address");
            kernel.AddressesJson = Serialize(addresses);
        }, cancellationToken);

    // Nothing is tracked in a simulation, so there is never anything to reset or list.
    public Task<FoundFlows> FindFlowsAsync(IReadOnlyList<FlowKey> flows, CancellationToken cancellationToken) => Task.FromResult(FoundFlows.None);
    public Task<int> DeleteFlowsAsync(FoundFlows found, CancellationToken cancellationToken) => Task.FromResult(0);
    public Task<IReadOnlyList<ConntrackEntry>> ListFlowsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ConntrackEntry>>([]);

    public string DescribeRestore() => "iptables-restore -w --noflush < script   (simulated)";
    public string DescribeAddAddress(BoundAddress a) => $"ip addr add {a.Address}/{a.PrefixLength} dev {a.Interface} label {a.OwnedLabel}   (simulated)";
    public string DescribeDeleteAddress(BoundAddress a) => $"ip addr del {a.Address}/{a.PrefixLength} dev {a.Interface}   (simulated)";
    public string DescribeResetFlow(FlowKey flow) => $"conntrack -D -s {flow.Source} -d {flow.Destination}   (simulated)";

    private async Task ChangeAsync(Action<SimulatedKernel> change, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var kernel = await EnsureAsync(db, cancellationToken);
            change(kernel);
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<SimulatedKernel> LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var kernel = await db.SimulatedKernel.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return kernel ?? await EnsureAsync(db, cancellationToken);
    }

    /// <summary>A fresh simulated router looks like the story's: one MASQUERADE for the LAN that RouterAdmin does not own.</summary>
    private static async Task<SimulatedKernel> EnsureAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var kernel = await db.SimulatedKernel.SingleOrDefaultAsync(cancellationToken);
        if (kernel is not null) return kernel;
        var settings = await db.Settings.AsNoTracking().SingleAsync(cancellationToken);
        kernel = new SimulatedKernel
        {
            NatTable = $"""
                *nat
                :PREROUTING ACCEPT [0:0]
                :INPUT ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :POSTROUTING ACCEPT [0:0]
                -A POSTROUTING -s {settings.LanSubnet} -o {settings.WanInterface} -j MASQUERADE
                COMMIT

                """,
            AddressesJson = "[]",
        };
        db.SimulatedKernel.Add(kernel);
        await db.SaveChangesAsync(cancellationToken);
        return kernel;
    }

    private sealed record StoredAddress(string Address, int PrefixLength, string Interface, string? Label);

    private static IReadOnlyList<LiveAddress> Addresses(SimulatedKernel kernel) =>
        (JsonSerializer.Deserialize<StoredAddress[]>(kernel.AddressesJson) ?? [])
        .Select(a => new LiveAddress(new BoundAddress(IPAddress.Parse(a.Address), a.PrefixLength, a.Interface), a.Label))
        .ToArray();

    private static string Serialize(IEnumerable<LiveAddress> addresses) =>
        JsonSerializer.Serialize(addresses.Select(a => new StoredAddress(a.Bound.Address.ToString(), a.Bound.PrefixLength, a.Bound.Interface, a.Label)));
}
