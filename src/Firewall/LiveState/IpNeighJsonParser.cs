using System.Net;
using System.Text.Json;

namespace RouterAdmin.Firewall.LiveState;

/// <summary>One IPv4 neighbour the kernel knows the link-layer address of.</summary>
public sealed record Neighbour(IPAddress Address, string Interface, string Mac);

/// <summary>
/// Reads <c>ip -j -4 neigh show</c>: <c>[{"dst":"192.168.1.2","dev":"br0","lladdr":"92:46:…","state":["REACHABLE"]}, …]</c>.
/// Entries without a link-layer address (INCOMPLETE, FAILED) are left out; a STALE one still names the host's MAC.
/// </summary>
public static class IpNeighJsonParser
{
    public static IReadOnlyList<Neighbour> Parse(string json)
    {
        var result = new List<Neighbour>();
        if (string.IsNullOrWhiteSpace(json)) return result;
        using var document = JsonDocument.Parse(json);
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (!entry.TryGetProperty("dst", out var dst) || !IPAddress.TryParse(dst.GetString(), out var address)
                || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) continue;
            if (!entry.TryGetProperty("lladdr", out var lladdr) || lladdr.GetString() is not { } mac || !MacAddresses.TryNormalize(mac, out var normalized)) continue;
            var device = entry.TryGetProperty("dev", out var dev) ? dev.GetString() ?? "" : "";
            result.Add(new Neighbour(address, device, normalized));
        }
        return result;
    }
}

/// <summary>Ethernet addresses as the console shows them: six lower-case hex pairs separated by ':'.</summary>
public static class MacAddresses
{
    public static bool TryNormalize(string text, out string mac)
    {
        mac = "";
        var parts = text.Trim().Split(':', '-');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit))) return false;
        mac = string.Join(':', parts).ToLowerInvariant();
        return true;
    }
}
