using System.Net;
using System.Text.RegularExpressions;
using RouterAdmin.Domain;
using RouterAdmin.Refusals;

namespace RouterAdmin.Inventory;

/// <summary>
/// The one place that decides what input is acceptable. Pure: no database, no I/O. The inventory service calls it
/// before every write and adds the checks that need the database (duplicates); forms and any API share both.
/// </summary>
public static partial class InventoryValidator
{
    public sealed record ValidClient(string Name, IPAddress LanAddress, string? MacAddress, string? Notes, bool Enabled);
    public sealed record ValidExternalAddress(IPAddress Address, string Interface, int PrefixLength, bool BindOnWan, string? Notes);
    public sealed record ValidEndpoint(string Name, IPNetwork Destination, string? Notes);
    public sealed record ValidSettings(string WanInterface, IPNetwork LanSubnet, bool ManageMasquerade, bool WatchVpnUsers);

    public static ValidClient Validate(ClientDraft draft, RouterSettings settings)
    {
        var errors = new ValidationErrors();
        var name = CheckName(draft.Name, nameof(ClientDraft.Name), errors);
        var lanAddress = CheckLanAddress(draft.LanAddress, settings.LanSubnet, errors);
        var mac = CheckMac(draft.MacAddress, errors);
        var notes = CheckNotes(draft.Notes, nameof(ClientDraft.Notes), errors);
        ThrowIfAny(errors);
        return new ValidClient(name!, lanAddress!, mac, notes, draft.Enabled);
    }

    public static ValidExternalAddress Validate(ExternalAddressDraft draft, RouterSettings settings)
    {
        var errors = new ValidationErrors();
        var iface = CheckInterfaceName(draft.Interface, nameof(ExternalAddressDraft.Interface), errors);
        if (draft.PrefixLength is < 1 or > 32)
            errors.Add(nameof(ExternalAddressDraft.PrefixLength), "The prefix length must be between 1 and 32.");
        var address = CheckExternalAddress(draft.Address, draft.PrefixLength, settings.LanSubnet, errors);
        var notes = CheckNotes(draft.Notes, nameof(ExternalAddressDraft.Notes), errors);
        ThrowIfAny(errors);
        return new ValidExternalAddress(address!, iface!, draft.PrefixLength, draft.BindOnWan, notes);
    }

    public static ValidEndpoint Validate(EndpointDraft draft, RouterSettings settings)
    {
        var errors = new ValidationErrors();
        var name = CheckName(draft.Name, nameof(EndpointDraft.Name), errors);
        var destination = CheckDestination(draft.Destination, settings.LanSubnet, errors);
        var notes = CheckNotes(draft.Notes, nameof(EndpointDraft.Notes), errors);
        ThrowIfAny(errors);
        return new ValidEndpoint(name!, destination!.Value, notes);
    }

    public static ValidSettings Validate(SettingsDraft draft)
    {
        var errors = new ValidationErrors();
        var wan = CheckInterfaceName(draft.WanInterface, nameof(SettingsDraft.WanInterface), errors);
        IPNetwork? lan = null;
        if (!TryParseNetwork(draft.LanSubnet, out var network, out var problem))
            errors.Add(nameof(SettingsDraft.LanSubnet), problem);
        else if (network.PrefixLength is < 8 or > 30)
            errors.Add(nameof(SettingsDraft.LanSubnet), "A LAN subnet must be between /8 and /30 so it has room for clients.");
        else
            lan = network;
        ThrowIfAny(errors);
        return new ValidSettings(wan!, lan!.Value, draft.ManageMasquerade, draft.WatchVpnUsers);
    }

    // Names end up in tables, dialogs and (sanitised) rule comments. Quotes and angle brackets are legitimate
    // in a name ("O'Brien's laptop") and are rendered inert; a line break or other control character never is.
    private static string? CheckName(string? raw, string field, ValidationErrors errors)
    {
        var name = raw?.Trim() ?? "";
        if (name.Length == 0) errors.Add(field, "A name is required.");
        else if (name.Length > Limits.NameLength) errors.Add(field, $"A name can have at most {Limits.NameLength} characters (this one has {name.Length}).");
        else if (name.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029')) errors.Add(field, "A name must be a single line without tabs or control characters.");
        else return name;
        return null;
    }

    private static string? CheckNotes(string? raw, string field, ValidationErrors errors)
    {
        var notes = raw?.Trim() ?? "";
        if (notes.Length > Limits.NotesLength)
            errors.Add(field, $"Notes can have at most {Limits.NotesLength} characters (these have {notes.Length}).");
        else if (notes.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            errors.Add(field, "Notes must not contain control characters.");
        else
            return notes.Length == 0 ? null : notes;
        return null;
    }

    private static IPAddress? CheckLanAddress(string? raw, IPNetwork lan, ValidationErrors errors)
    {
        const string field = nameof(ClientDraft.LanAddress);
        var text = raw?.Trim();
        if (!Ipv4.TryParseStrict(text, out var address))
        {
            errors.Add(field, $"\"{Shorten(text)}\" is not an IPv4 address; write it as four numbers, e.g. {FirstHost(lan)}.");
            return null;
        }
        if (!lan.Contains(address))
            errors.Add(field, $"{address} is outside the LAN subnet {lan}; clients must be on the LAN.");
        else if (address.Equals(lan.BaseAddress))
            errors.Add(field, $"{address} is the LAN subnet's network address, not a host.");
        else if (address.Equals(Ipv4.Broadcast(lan)))
            errors.Add(field, $"{address} is the LAN subnet's broadcast address, not a host.");
        else
            return address;
        return null;
    }

    private static IPAddress? CheckExternalAddress(string? raw, int prefixLength, IPNetwork lan, ValidationErrors errors)
    {
        const string field = nameof(ExternalAddressDraft.Address);
        var text = raw?.Trim();
        if (!Ipv4.TryParseStrict(text, out var address))
        {
            errors.Add(field, $"\"{Shorten(text)}\" is not an IPv4 address; write it as four numbers, e.g. 203.0.113.2.");
            return null;
        }
        var first = address.GetAddressBytes()[0];
        if (address.Equals(IPAddress.Any) || first == 127 || first >= 224)
            errors.Add(field, $"{address} cannot be a public source address (it is unspecified, loopback, multicast or reserved).");
        else if (lan.Contains(address))
            errors.Add(field, $"{address} is inside the LAN subnet {lan}; an external address must be on the WAN side.");
        else if (prefixLength is >= 1 and <= 30 && IsNetworkOrBroadcast(address, prefixLength))
            errors.Add(field, $"{address} is the network or broadcast address of {address}/{prefixLength}, not a host.");
        else
            return address;
        return null;
    }

    private static IPNetwork? CheckDestination(string? raw, IPNetwork lan, ValidationErrors errors)
    {
        const string field = nameof(EndpointDraft.Destination);
        if (!TryParseNetwork(raw, out var destination, out var problem))
            errors.Add(field, problem);
        else if (destination.PrefixLength < 8)
            errors.Add(field, $"{destination} is too broad: SNAT for it would capture most of the Internet. Use the VPN server's address or its own network.");
        else if (lan.Contains(destination.BaseAddress) || destination.Contains(lan.BaseAddress))
            errors.Add(field, $"{Ipv4.Format(destination)} overlaps the LAN subnet {lan}; a VPN endpoint is on the far side of the WAN.");
        else
            return destination;
        return null;
    }

    /// <summary>An address ("198.51.100.10") or a network in CIDR form ("198.51.100.0/24") whose host bits are zero.</summary>
    public static bool TryParseNetwork(string? raw, out IPNetwork network, out string problem)
    {
        network = default;
        var text = raw?.Trim() ?? "";
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        var prefix = 32;
        if (!Ipv4.TryParseStrict(addressText, out var address))
        {
            problem = text.Length == 0
                ? "An address or network is required, e.g. 198.51.100.10 or 198.51.100.0/24."
                : $"\"{Shorten(text)}\" is not an IPv4 address or CIDR network, e.g. 198.51.100.10 or 198.51.100.0/24.";
            return false;
        }
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 2 || !prefixText.All(char.IsAsciiDigit) || (prefix = int.Parse(prefixText, System.Globalization.CultureInfo.InvariantCulture)) > 32)
            {
                problem = $"\"{Shorten(text)}\" has no valid prefix length after the slash (0 to 32).";
                return false;
            }
        }
        var networkBase = Ipv4.FromUInt32(Ipv4.ToUInt32(address) & Ipv4.Mask(prefix));
        if (!networkBase.Equals(address))
        {
            problem = $"{text} has host bits set: the network is {networkBase}/{prefix}, or use {address} alone for a single host.";
            return false;
        }
        network = new IPNetwork(address, prefix);
        problem = "";
        return true;
    }

    private static string? CheckInterfaceName(string? raw, string field, ValidationErrors errors)
    {
        var name = raw?.Trim() ?? "";
        if (name.Length == 0) errors.Add(field, "An interface name is required, e.g. eth1.");
        else if (!InterfaceName().IsMatch(name) || name is "." or "..")
            errors.Add(field, $"\"{Shorten(name)}\" is not a Linux interface name (1 to {Limits.InterfaceNameLength} letters, digits, '.', '-' or '_').");
        else return name;
        return null;
    }

    private static string? CheckMac(string? raw, ValidationErrors errors)
    {
        var text = raw?.Trim() ?? "";
        if (text.Length == 0) return null;
        if (!MacAddress().IsMatch(text))
        {
            errors.Add(nameof(ClientDraft.MacAddress), $"\"{Shorten(text)}\" is not a MAC address, e.g. 52:54:00:12:34:56.");
            return null;
        }
        return text.Replace('-', ':').ToLowerInvariant();
    }

    private static bool IsNetworkOrBroadcast(IPAddress address, int prefixLength)
    {
        var value = Ipv4.ToUInt32(address);
        var hostBits = ~Ipv4.Mask(prefixLength);
        return (value & hostBits) == 0 || (value & hostBits) == hostBits;
    }

    private static IPAddress FirstHost(IPNetwork lan) => Ipv4.FromUInt32(Ipv4.ToUInt32(lan.BaseAddress) + 2);

    // Echo what was typed so the message is specific, but never a wall of text back at the user.
    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";

    private static void ThrowIfAny(ValidationErrors errors)
    {
        if (!errors.IsEmpty) throw new InvalidInput(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceName();

    [GeneratedRegex("^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacAddress();
}
