using System.Net;
using RouterAdmin.Firewall.Model;

namespace RouterAdmin.Firewall.Backends.Iptables;

/// <summary>Reads what an iptables SNAT rule means.</summary>
public static class SnatRuleMeaning
{
    /// <summary>
    /// Reads a rule as a plain mapping when it is nothing more than that: source, destination, optional out-interface
    /// and comment, SNAT to one address. A rule with protocols, ports or other matches is something else and is left alone.
    /// </summary>
    public static bool TryParse(NatRule rule, out FoundMapping mapping)
    {
        mapping = null!;
        IPNetwork? source = null, destination = null;
        IPAddress? toSource = null;
        string? outInterface = null;
        var target = "";
        var args = rule.Arguments;
        for (var i = 0; i < args.Count; i++)
        {
            var hasValue = i + 1 < args.Count;
            switch (args[i])
            {
                case "-s" when hasValue && TryNetwork(args[i + 1], out var s): source = s; i++; break;
                case "-d" when hasValue && TryNetwork(args[i + 1], out var d): destination = d; i++; break;
                case "-o" when hasValue: outInterface = args[++i]; break;
                case "-m" when hasValue && args[i + 1] == "comment": i++; break;
                case "--comment" when hasValue: i++; break;
                case "-j" when hasValue: target = args[++i]; break;
                case "--to-source" when hasValue && IPAddress.TryParse(args[i + 1], out var to) && to.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork: toSource = to; i++; break;
                default: return false;
            }
        }
        if (target != "SNAT" || source is null || destination is null || toSource is null) return false;
        mapping = new FoundMapping(source.Value, destination.Value, toSource, outInterface);
        return true;
    }

    // iptables prints canonical networks ("192.168.1.2/32"); a bare address (as typed in a hand-written rule) is a /32.
    private static bool TryNetwork(string text, out IPNetwork network)
    {
        if (text.Contains('/')) return IPNetwork.TryParse(text, out network) && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        network = default;
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        network = new IPNetwork(address, 32);
        return true;
    }
}
