using System.Net;
using RouterAdmin.Domain;

namespace RouterAdmin.Inventory.Bulk;

/// <summary>
/// The external addresses of an import, and which are taken towards which endpoint: the lowest free one is found from
/// a cursor per endpoint, so 10,000 clients cost one pass over the addresses, not 10,000.
/// </summary>
internal sealed class AddressPool
{
    private readonly IPAddress[] _sorted;
    private readonly Dictionary<IPAddress, int> _index;
    private readonly HashSet<(IPNetwork Endpoint, IPAddress Address)> _taken;
    private readonly Dictionary<IPNetwork, int> _cursor = [];

    public AddressPool(IEnumerable<IPAddress> addresses, IEnumerable<(IPNetwork Endpoint, IPAddress Address)> taken)
    {
        _sorted = addresses.Distinct().OrderBy(Ipv4.ToUInt32).ToArray();
        _index = _sorted.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i);
        _taken = [.. taken];
    }

    public bool Exists(IPAddress address) => _index.ContainsKey(address);

    public bool IsTaken(IPNetwork endpoint, IPAddress address) => _taken.Contains((endpoint, address));

    public void Take(IPNetwork endpoint, IPAddress address) => _taken.Add((endpoint, address));

    /// <summary>Gives an address back (a client line refused after it took one), so a later line can have it.</summary>
    public void Release(IPNetwork endpoint, IPAddress address)
    {
        if (!_taken.Remove((endpoint, address))) return;
        if (_cursor.TryGetValue(endpoint, out var at) && _index[address] < at) _cursor[endpoint] = _index[address];
    }

    /// <summary>The lowest address free towards the endpoint, taken; null when every one is in use.</summary>
    public IPAddress? TakeLowestFree(IPNetwork endpoint)
    {
        var i = _cursor.GetValueOrDefault(endpoint);
        while (i < _sorted.Length && _taken.Contains((endpoint, _sorted[i]))) i++;
        _cursor[endpoint] = i;
        if (i == _sorted.Length) return null;
        _taken.Add((endpoint, _sorted[i]));
        return _sorted[i];
    }

    public int Count => _sorted.Length;
}
