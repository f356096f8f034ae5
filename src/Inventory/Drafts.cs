using RouterAdmin.Domain;

namespace RouterAdmin.Inventory;

// What a form holds while the administrator types: plain text, possibly wrong. The validator turns a draft
// into domain values or into messages keyed by the draft's property names, so a form can show each next to its field.

public sealed class ClientDraft
{
    public string Name { get; set; } = "";
    public string LanAddress { get; set; } = "";
    public string MacAddress { get; set; } = "";
    public string Notes { get; set; } = "";
    public bool Enabled { get; set; } = true;

    public static ClientDraft From(Client client) => new()
    {
        Name = client.Name,
        LanAddress = client.LanAddress.ToString(),
        MacAddress = client.MacAddress ?? "",
        Notes = client.Notes ?? "",
        Enabled = client.Enabled,
    };
}

public sealed class ExternalAddressDraft
{
    public string Address { get; set; } = "";
    public string Interface { get; set; } = "";
    public int PrefixLength { get; set; } = 24;
    public bool BindOnWan { get; set; }
    public string Notes { get; set; } = "";

    public static ExternalAddressDraft From(ExternalAddress address) => new()
    {
        Address = address.Address.ToString(),
        Interface = address.Interface,
        PrefixLength = address.PrefixLength,
        BindOnWan = address.BindOnWan,
        Notes = address.Notes ?? "",
    };
}

public sealed class EndpointDraft
{
    public string Name { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Notes { get; set; } = "";

    public static EndpointDraft From(VpnEndpoint endpoint) => new()
    {
        Name = endpoint.Name,
        Destination = Ipv4.Format(endpoint.Destination),
        Notes = endpoint.Notes ?? "",
    };
}

public sealed class SettingsDraft
{
    public string WanInterface { get; set; } = "";
    public string LanSubnet { get; set; } = "";
    public bool ManageMasquerade { get; set; }
    public bool WatchVpnUsers { get; set; }

    public static SettingsDraft From(SettingsView settings) => new()
    {
        WanInterface = settings.WanInterface,
        LanSubnet = settings.LanSubnet.ToString(),
        ManageMasquerade = settings.ManageMasquerade,
        WatchVpnUsers = settings.WatchVpnUsers,
    };
}
