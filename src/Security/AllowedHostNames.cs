using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.HostFiltering;

namespace RouterAdmin.Security;

/// <summary>
/// The Host names the console answers to (ASP.NET Core's host filtering): the standard <c>AllowedHosts</c> key when it
/// is set (names separated by ';', <c>*</c> for any), otherwise the host of each address the console listens on,
/// plus <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c> when that is loopback. A page that answers under any name
/// can be read through DNS rebinding by a site the administrator visits.
/// </summary>
public static class AllowedHostNames
{
    public const string Key = "AllowedHosts";

    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "[::1]"];

    public static void ConfigureAllowedHosts(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration[Key])) return;
        var urls = (builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>())
            .ToArray();
        var wildcard = urls.Length == 0 || !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpPortsKey])
            || !string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpsPortsKey]);
        var hosts = FromUrls(urls, wildcard);
        // After the web host's own PostConfigure, which would otherwise leave "*" for a missing key.
        builder.Services.PostConfigure<HostFilteringOptions>(filtering => filtering.AllowedHosts = hosts);
    }

    /// <summary>The names for these listening addresses; an address on every interface allows each interface's address.</summary>
    internal static List<string> FromUrls(IEnumerable<string> urls, bool wildcard = false)
    {
        var hosts = new List<string>();
        foreach (var url in urls)
        {
            var host = BindingAddress.Parse(url).Host;
            if (host is "*" or "+" or "0.0.0.0" or "[::]" or "::") wildcard = true;
            else
            {
                hosts.Add(host);
                if (host == "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)) hosts.AddRange(Loopback);
            }
        }
        if (wildcard)
        {
            hosts.AddRange(Loopback);
            hosts.Add(Dns.GetHostName());
            hosts.AddRange(NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a.Address}]" : a.Address.ToString()));
        }
        return [.. hosts.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// The Blazor hub (negotiate and its WebSocket) only for pages of this origin: a browser always sends Origin on a
    /// WebSocket, and another site's page must not drive a signed-in administrator's circuit.
    /// </summary>
    public static IApplicationBuilder UseSameOriginHub(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/_blazor") && request.Headers.Origin.ToString() is { Length: > 0 } origin
                && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("The console's hub only answers its own pages.", context.RequestAborted);
                return;
            }
            await next(context);
        });
}
