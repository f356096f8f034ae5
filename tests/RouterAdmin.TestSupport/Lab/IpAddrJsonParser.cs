using System.Net;
using System.Text.Json;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// Reads <c>ip -j -4 addr show</c>: every IPv4 address, its interface and its label. The console reads them over
/// rtnetlink; the lab specs hold that read to what iproute2 says.
/// </summary>
public static class IpAddrJsonParser
{
    public static IReadOnlyList<LiveAddress> Parse(string json)
    {
        var result = new List<LiveAddress>();
        if (string.IsNullOrWhiteSpace(json)) return result;
        using var document = JsonDocument.Parse(json);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("ifname", out var ifname) || !link.TryGetProperty("addr_info", out var infos)) continue;
            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("family", out var family) && family.GetString() != "inet") continue;
                if (!info.TryGetProperty("local", out var local) || !IPAddress.TryParse(local.GetString(), out var address)) continue;
                var prefix = info.TryGetProperty("prefixlen", out var p) ? p.GetInt32() : 32;
                var label = info.TryGetProperty("label", out var l) ? l.GetString() : null;
                result.Add(new LiveAddress(new BoundAddress(address, prefix, ifname.GetString()!), label));
            }
        }
        return result;
    }
}
