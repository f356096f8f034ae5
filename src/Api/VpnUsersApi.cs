using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RouterAdmin.Detection;
using RouterAdmin.Domain;
using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>
/// /api/v1/vpn-users: what the VPN watch saw at its last check (the dashboard's panel), and its one fix, which like
/// every edit changes the inventory only: the caller then previews and applies (<see cref="RouterApi"/>).
/// </summary>
internal static class VpnUsersApi
{
    public sealed record UserView(string State, string Traffic, string LanAddress, int? ClientId, string? ClientName, string? Mac, string? Hostname,
        string Server, int? EndpointId, string? EndpointName, string? LeavesFrom, int? LeavesFromPort, long Packets, DateTimeOffset Since);

    /// <param name="WatchOn">The setting: the watch is (to be) on the router and checked every <paramref name="CheckInterval"/>.</param>
    /// <param name="CheckedAt">The last check, or null before the first.</param>
    public sealed record ReportView(bool WatchOn, DateTimeOffset? CheckedAt, TimeSpan CheckInterval, IReadOnlyList<UserView> Users, IReadOnlyList<string> NewServers);

    /// <param name="Applied">Always false: nothing reaches the router before a preview.</param>
    public sealed record FixView(string Done, int ClientId, string ClientName, bool ClientAdded, int EndpointId, string EndpointName, string ExternalAddress,
        bool Applied, string Next);

    public sealed record EndpointAdded(int Id, string Name, string Next);

    private const string PreviewNext = "Nothing is on the router yet: GET /api/v1/preview, then POST /api/v1/apply with its fingerprint.";

    public static void MapVpnUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/vpn-users").WithTags("VPN users");

        users.MapGet("", async (VpnUserWatcher watcher, SettingsService settings, IOptions<DetectionOptions> options, CancellationToken ct) =>
        {
            var report = watcher.Current;
            return Results.Ok(new ReportView(
                (await settings.GetAsync(ct)).WatchVpnUsers,
                report == VpnUserReport.NotChecked ? null : report.CheckedAt,
                options.Value.CheckInterval,
                report.Users.Select(Shown).ToArray(),
                report.NewServers.Select(s => s.ToString()).ToArray()));
        });

        // The dashboard's button: the host of the last check (towards ?server= when it talks to more than one).
        users.MapPost("/{lanAddress}/fix", (string lanAddress, string? server, HttpContext http, VpnUserWatcher watcher, VpnUserFixes fixes, CancellationToken ct) =>
        {
            if (!Ipv4.TryParseStrict(lanAddress, out var host))
                return Task.FromResult(Invalid(nameof(ClientDraft.LanAddress), $"\"{lanAddress}\" is not an IPv4 address."));
            IPAddress? towards = null;
            if (server is not null && !Ipv4.TryParseStrict(server, out towards))
                return Task.FromResult(Invalid("Server", $"\"{server}\" is not an IPv4 address."));
            var candidates = watcher.Current.Users
                .Where(u => u.Flow.LanHost.Equals(host) && u.Flow.State != VpnFlowState.Fine && (towards is null || u.Flow.Server.Equals(towards)))
                .ToArray();
            return candidates switch
            {
                [] => Task.FromResult(Results.Problem($"{host} is not a dropped or at-risk VPN user{(towards is null ? "" : $" towards {towards}")} in the last check.",
                    statusCode: StatusCodes.Status404NotFound)),
                [var user] => ApiResults.Run(http, async actor =>
                {
                    var fix = await fixes.GiveOwnAddressAsync(user, actor, ct);
                    return Results.Ok(new FixView(fix.Done, fix.ClientId, fix.ClientName, fix.ClientAdded, fix.EndpointId, fix.EndpointName, fix.ExternalAddress,
                        Applied: false, PreviewNext));
                }),
                _ => Task.FromResult(Invalid("Server", $"{host} talks to {string.Join(", ", candidates.Select(c => c.Flow.Server))}: name one with ?server=.")),
            };
        })
        .RequireAuthorization(ApiResults.Admins);

        users.MapPost("/servers/{address}/endpoint", (string address, HttpContext http, VpnUserWatcher watcher, VpnUserFixes fixes, CancellationToken ct) =>
        {
            if (!Ipv4.TryParseStrict(address, out var server))
                return Task.FromResult(Invalid(nameof(EndpointDraft.Destination), $"\"{address}\" is not an IPv4 address."));
            if (!watcher.Current.NewServers.Contains(server))
                return Task.FromResult(Results.Problem($"{server} is not a server the last check saw VPN traffic to without an endpoint.", statusCode: StatusCodes.Status404NotFound));
            return ApiResults.Run(http, async actor =>
                Results.Ok(new EndpointAdded(await fixes.AddServerAsEndpointAsync(server, actor, ct), VpnUserFixes.EndpointNameFor(server),
                    "Its VPN users can now be given their own addresses (POST /api/v1/vpn-users/{lanAddress}/fix) after the next check.")));
        })
        .RequireAuthorization(ApiResults.Admins);
    }

    private static IResult Invalid(string field, string message) => Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static UserView Shown(DetectedVpnUser user)
    {
        var f = user.Flow;
        return new UserView(JsonNamingPolicy.CamelCase.ConvertName(f.State.ToString()), f.Traffic.ToString().ToLowerInvariant(), f.LanHost.ToString(),
            f.ClientId, f.ClientName, user.Mac, user.Hostname, f.Server.ToString(), f.EndpointId, f.EndpointName, f.LeavesFrom, f.LeavesFromPort,
            f.UnconfirmedPackets, user.Since);
    }
}
