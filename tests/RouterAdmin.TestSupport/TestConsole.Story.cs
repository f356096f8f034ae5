using System.Net;
using RouterAdmin.Domain;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Diff;
using RouterAdmin.Inventory;
using RouterAdmin.Security;
using RouterAdmin.TestSupport.Lab;

namespace RouterAdmin.TestSupport;

/// <summary>The story of docs/design.md told through the console's services, for the specs that drive a lab router.</summary>
public sealed partial class TestConsole
{
    /// <summary>Who the story's edits and applies are made by; the same name as the web suites' first administrator.</summary>
    public static readonly Actor Admin = new("admin", UserRole.Admin);

    /// <summary>The real backends, for the specs that must hold on each (a theory over the backend, not a copy).</summary>
    public static TheoryData<string> Backends => new(RealBackends);

    public static readonly IReadOnlyList<string> RealBackends = ["Iptables", "Nftables"];

    public const string EndpointName = "Customer Contivity";

    public NetnsLab? Lab { get; }
    public int EndpointId { get; private set; }
    public Dictionary<int, int> ClientIds { get; } = [];
    public Dictionary<int, int> AddressIds { get; } = [];

    /// <summary>
    /// The story's router: WAN "wan", LAN 192.168.1.0/24, the customer's VPN server, five external addresses that
    /// RouterAdmin binds itself, and a client for each of the first <paramref name="clients"/> lab clients (all by
    /// default). Nothing is assigned yet.
    /// </summary>
    public async Task SeedStoryAsync(int externalAddresses = 5, bool bindOnWan = true, Actor? by = null, int? clients = null)
    {
        var lab = Lab ?? throw new InvalidOperationException("The story needs a console started on a lab (ConsoleSetup.OnLab).");
        by ??= Admin;
        await Settings.UpdateAsync(new SettingsDraft { WanInterface = NetnsLab.WanInterface, LanSubnet = NetnsLab.LanSubnet.ToString() }, by);
        EndpointId = await Endpoints.CreateAsync(new EndpointDraft { Name = EndpointName, Destination = NetnsLab.VpnServer.ToString() }, by);
        for (var n = 1; n <= externalAddresses; n++)
            AddressIds[n] = await Addresses.CreateAsync(new ExternalAddressDraft
            {
                Address = NetnsLab.ExternalAlias(n).ToString(), Interface = NetnsLab.WanInterface, PrefixLength = NetnsLab.WanPrefixLength, BindOnWan = bindOnWan,
            }, by);
        foreach (var client in lab.Clients.Take(clients ?? lab.Clients.Count))
            ClientIds[client.Number] = await Clients.CreateAsync(new ClientDraft { Name = $"client{client.Number}", LanAddress = client.Address.ToString() }, by);
    }

    public Task<AssignmentRow> AssignAsync(int clientNumber, int alias) =>
        Assignments.AssignAsync(ClientIds[clientNumber], EndpointId, AddressIds[alias], Admin);

    /// <summary>Previews, then applies exactly what was previewed, as the UI does.</summary>
    public async Task<(ChangePreview Preview, ApplyResult Result)> PreviewAndApplyAsync(string reason, TimeSpan? confirmWithin = null, Actor? by = null)
    {
        var preview = await Engine.PreviewApplyAsync();
        var result = await Engine.ApplyAsync(new ApplyRequest(by ?? Admin, reason, preview.Fingerprint, confirmWithin));
        return (preview, result);
    }

    public async Task<(ChangePreview Preview, ApplyResult Result)> RollbackAsync(int revisionId, string reason)
    {
        var preview = await Engine.PreviewRollbackAsync(revisionId);
        var result = await Engine.RollbackAsync(revisionId, new ApplyRequest(Admin, reason, preview.Fingerprint));
        return (preview, result);
    }

    /// <summary>Who leaves through which address, by LAN address.</summary>
    public async Task<IReadOnlyList<(IPAddress Client, IPAddress External)>> AssignmentsAsync()
    {
        var snapshot = await Store.CaptureAsync();
        return snapshot.Assignments
            .Select(a => (snapshot.Clients.Single(c => c.Id == a.ClientId).LanAddress, snapshot.ExternalAddresses.Single(x => x.Id == a.ExternalAddressId).Address))
            .OrderBy(p => Ipv4.ToUInt32(p.LanAddress))
            .ToArray();
    }
}
