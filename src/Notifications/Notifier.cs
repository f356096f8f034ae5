using System.Net;
using System.Threading.Channels;

namespace RouterAdmin.Notifications;

/// <summary>
/// The one way anything in the console raises a notification: it is queued and this returns at once, so an apply,
/// a drift check or a detector never waits for a webhook or a mail server. <see cref="NotificationDispatcher"/> delivers.
/// </summary>
public sealed class Notifier(TimeProvider clock, ILogger<Notifier> logger)
{
    /// <summary>Bounded: a flood of events while every channel is down keeps the newest, not all of memory.</summary>
    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    internal ChannelReader<Notification> Queue => _queue.Reader;

    public void Raise(NotificationKind kind, string title, string text, IReadOnlyDictionary<string, string>? facts = null)
    {
        var notification = new Notification(kind, title, text, clock.GetUtcNow(), facts ?? new Dictionary<string, string>());
        logger.LogInformation("Notification {Kind}: {Title}", notification.KindName, title);
        _queue.Writer.TryWrite(notification);
    }

    /// <summary>For the detector of dropped VPN users: a LAN host whose ESP or IKE to a server is dropped (or at risk).</summary>
    public void DroppedVpnUserDetected(IPAddress lanAddress, IPAddress server, string? knownAs, long packets, DateTimeOffset since, bool atRisk = false) =>
        Raise(NotificationKind.DroppedVpnUser,
            atRisk ? $"VPN user at risk: {knownAs ?? lanAddress.ToString()}" : $"VPN user dropped: {knownAs ?? lanAddress.ToString()}",
            atRisk
                ? $"{lanAddress} talks to {server} through the shared masquerade address: the next LAN host to reach that server will be dropped. Give it its own external address."
                : $"The router drops {lanAddress}'s packets to {server} ({packets} since {since:yyyy-MM-dd HH:mm:ss} UTC): its NAT mapping collides with another host's. Give it its own external address.",
            new Dictionary<string, string>
            {
                ["lanAddress"] = lanAddress.ToString(), ["server"] = server.ToString(), ["packets"] = packets.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["since"] = since.ToString("O"), ["state"] = atRisk ? "at-risk" : "dropped", ["client"] = knownAs ?? "",
            });
}
