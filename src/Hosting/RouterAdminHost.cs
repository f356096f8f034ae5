using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using RouterAdmin.Api;
using RouterAdmin.Api.Metrics;
using RouterAdmin.Components;
using RouterAdmin.Data;
using RouterAdmin.Detection;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Backends;
using RouterAdmin.Firewall.Backends.Handover;
using RouterAdmin.Firewall.Backends.Simulated;
using RouterAdmin.Firewall.Backends.Iptables;
using RouterAdmin.Firewall.Backends.Nftables;
using RouterAdmin.Firewall.Backends.Watch;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Import;
using RouterAdmin.Inventory;
using RouterAdmin.Notifications;
using RouterAdmin.Inventory.Bulk;
using RouterAdmin.Security;

namespace RouterAdmin.Hosting;

/// <summary>The one composition root: every service, option and middleware of the console is wired here.</summary>
public static class RouterAdminHost
{
    /// <summary>Services shared by the web console and the command-line verbs (restore, create-admin, apply).</summary>
    public static void AddRouterAdminCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section, DatabaseOptions.Problems);
        services.AddValidatedOptions<FirewallOptions>(FirewallOptions.Section, FirewallOptions.Problems);
        services.AddValidatedOptions<SecurityOptions>(SecurityOptions.Section, SecurityOptions.Problems);
        services.AddValidatedOptions<DriftOptions>(DriftOptions.Section, DriftOptions.Problems);
        services.AddValidatedOptions<HistoryOptions>(HistoryOptions.Section, HistoryOptions.Problems);
        services.AddValidatedOptions<PoolOptions>(PoolOptions.Section, PoolOptions.Problems);
        // Only an enum, which binding itself checks (naming the key) when the options are first read at start.
        services.AddValidatedOptions<FaultInjection.Settings>(FaultInjection.Settings.Section, _ => []);

        services.AddDbContextFactory<AppDbContext>((provider, options) =>
        {
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseSqlite(DatabaseOptions.ConnectionString(database.ResolvePath(contentRoot)))
                .AddInterceptors(new SqliteTuning());
        });

        services.AddSingleton(TimeProvider.System);
        services.AddInventory();
        services.AddVpnDetection();
        services.AddNotifications();
        services.AddBulkInventory();
        services.AddSecurity();

        services.AddSingleton<CommandRunner>();
        services.AddSingleton<Firewall.Backends.Netlink.AddressNetlink>();
        services.AddSingleton<Firewall.Backends.Netlink.ConntrackNetlink>();
        services.AddSingleton<HostTools>();
        services.AddSingleton<IptablesTools>();
        services.AddSingleton<SimulatedBackend>();
        services.AddSingleton<IIptablesHost>(provider =>
            provider.GetRequiredService<IOptions<FirewallOptions>>().Value.Backend switch
            {
                FirewallBackendKind.Iptables => provider.GetRequiredService<IptablesTools>(),
                _ => provider.GetRequiredService<SimulatedBackend>(),
            });
        services.AddSingleton<NftLibrary>();
        services.AddSingleton<NftTools>();
        services.AddSingleton<NftGeneration>();
        services.AddSingleton<NftablesBackend>();
        services.AddSingleton(provider => new IptablesBackend(provider.GetRequiredService<IIptablesHost>()));
        services.AddSingleton<IFirewallBackend>(provider =>
        {
            var iptables = provider.GetRequiredService<IptablesBackend>();
            var nftables = provider.GetRequiredService<NftablesBackend>();
            // Each real backend sees what the other left on the router (a switch of backend); the simulated one has no other.
            var sides = provider.GetRequiredService<IOptions<FirewallOptions>>().Value.Backend switch
            {
                FirewallBackendKind.Nftables => new HandoverSides(nftables, FirewallBackendKind.Nftables,
                    new IptablesBackend(provider.GetRequiredService<IptablesTools>()), FirewallBackendKind.Iptables),
                FirewallBackendKind.Iptables => new HandoverSides(iptables, FirewallBackendKind.Iptables, nftables, FirewallBackendKind.Nftables),
                _ => null,
            };
            IFirewallBackend rules = sides is null ? iptables : new HandoverBackend(sides, provider.GetRequiredService<ILogger<HandoverBackend>>());
            return new WatchingBackend(rules, provider.GetRequiredService<IVpnWatchTable>());
        });
        services.AddSingleton(provider => new ApplyGate(Path.Combine(
            provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.DataFolder(contentRoot), "apply.lock")));
        services.AddSingleton<FaultInjection>();
        services.AddSingleton<RevisionStore>();
        services.AddSingleton<ApplyTargets>();
        services.AddSingleton<ChangeReuse>();
        services.AddSingleton<KernelTransaction>();
        services.AddSingleton<ApplyEngine>();
        services.AddSingleton<ApplyRecovery>();
        services.AddSingleton<HistoryService>();
        services.AddSingleton<HistoryRetention>();
        services.AddSingleton<DatabaseBackup>();
        services.AddSingleton<FirewallStatusMonitor>();
        services.AddSingleton<DriftRepair>();
        services.AddSingleton<ConfirmationService>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ActivityReader>();
        services.AddSingleton<LiveTunnels>();
    }

    public static WebApplication BuildWebApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = ContentRoot(),
            // Named after this assembly, not the entry one, so the static assets manifest is found when a test hosts the app too.
            ApplicationName = typeof(RouterAdminHost).Assembly.GetName().Name,
        });
        // Run from the build output (dotnet run, the tests), package assets such as MudBlazor's CSS are found through the
        // static web assets manifest in any environment; a published app has no manifest and serves its own wwwroot.
        builder.WebHost.UseStaticWebAssets();
        if (!ListenAddressGiven(builder.Configuration))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.Services.AddRouterAdminCore(builder.Configuration, builder.Environment.ContentRootPath);
        builder.AddWebHardening();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddRouterAdminApi();
        // First: a second console on the same database stops here, before it migrates or recovers anything.
        builder.Services.AddHostedService<ConsoleLock>();
        builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddHostedService<DriftWatcher>();
        builder.Services.AddHostedService<VpnWatchService>();
        builder.Services.AddNotificationBackground();
        builder.Services.AddHostedService<HistoryRetentionService>();

        builder.Services.AddAuthentication(ApiTokenAuthentication.CookieOrToken)
            .AddApiTokens()
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = "RouterAdmin.Auth";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/account/login";
                cookie.LogoutPath = "/account/logout";
                cookie.AccessDeniedPath = "/account/denied";
                // The JSON API and /metrics answer 401/403; only pages are sent to the sign-in form.
                cookie.Events.OnRedirectToLogin = context => ApiOr(context, StatusCodes.Status401Unauthorized);
                cookie.Events.OnRedirectToAccessDenied = context => ApiOr(context, StatusCodes.Status403Forbidden);
                cookie.Events.OnValidatePrincipal = async context =>
                {
                    var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
                    if (context.Principal is null || !await users.IsCurrentAsync(context.Principal, context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<SecurityOptions>>((cookie, security) => cookie.ExpireTimeSpan = security.Value.IdleTimeout);
        // Nothing answers anonymously unless it says so: the login and setup pages, static assets, the health check.
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddRouterMetrics();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationStateProvider>();
        builder.Services.AddScoped<CurrentUser>();

        // Keys beside the database, so sessions survive a restart; what PersistKeysToFileSystem does, from the bound options.
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddDataProtection().SetApplicationName("RouterAdmin");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<DatabaseOptions>, ILoggerFactory>((keys, database, logging) => keys.XmlRepository =
                new FileSystemXmlRepository(DataFolderPermissions.OwnerOnlyFolder(Path.Combine(database.Value.DataFolder(contentRoot), "keys"),
                    logging.CreateLogger(typeof(DataFolderPermissions))), logging));

        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRouterAdmin();
        return app;
    }

    /// <summary>Where <c>dotnet run</c> listens when nothing says otherwise: loopback only, never the WAN.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Whether the usual ways of choosing the address were used: <c>--urls</c>, <c>ASPNETCORE_URLS</c> /
    /// <c>DOTNET_URLS</c> or <c>Urls</c> in configuration, the <c>HTTP_PORTS</c>/<c>HTTPS_PORTS</c> that container
    /// images set, or Kestrel endpoints. Only when none was does the console pick <see cref="DefaultUrl"/>.
    /// </summary>
    internal static bool ListenAddressGiven(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    private static void UseRouterAdmin(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            // Only sent over HTTPS (the middleware skips plain HTTP), i.e. once a certificate is configured.
            app.UseHsts();
        }
        app.UseSecurityHeaders();
        app.UseSameOriginHub();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseFirstRunSetup();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapRouterAdminApi();
        app.MapBulkApi();
        app.MapRouterMetrics();
        app.MapApiDocument();
        app.MapBackupDownload(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.DataFolder(app.Environment.ContentRootPath));
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    private static Task ApiOr(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments(MetricsEndpoint.Path))
        {
            // A script wants the status code, not the not-found page the status-code pages would put there.
            context.Response.StatusCode = status;
            if (context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The folder holding appsettings.json and wwwroot: the repository root when run with <c>dotnet run</c>, the publish
    /// folder when deployed. Found from the executable, so the console works whatever the current directory is.
    /// </summary>
    internal static string ContentRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (var d = directory; d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "RouterAdmin.csproj"))) return d.FullName;
        return directory.FullName;
    }
}
