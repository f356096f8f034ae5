using Microsoft.Extensions.Options;
using RouterAdmin.Data;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Refusals;
using RouterAdmin.Security;

namespace RouterAdmin.Hosting;

/// <summary>
/// The executable's verbs. No verb: the web console. The others work without the web server, for a headless install
/// (create-admin) and for scripts (preview, apply).
/// </summary>
public static class CommandLine
{
    private const string Usage = """
        Usage:
          RouterAdmin                                  start the web console
          RouterAdmin create-admin --user NAME         create an administrator; the password is read from
                                                       ROUTERADMIN_PASSWORD or from standard input
          RouterAdmin preview                          print what an apply would change, and run nothing
          RouterAdmin apply --reason TEXT --yes        apply the inventory (prints the diff first)
          RouterAdmin restore                          put the last confirmed revision back on the kernel (boot time;
                                                       never a change that was still awaiting confirmation)
          RouterAdmin backup --out FILE                a consistent copy of the database (inventory, users, history),
                                                       made while the console runs; the file is created 0600
          RouterAdmin clients list [--search TEXT]
          RouterAdmin clients add --name NAME --address LAN [--mac MAC] [--notes TEXT] [--disabled]
          RouterAdmin clients remove CLIENT            (a client by name, LAN address or #id; with its assignments)
          RouterAdmin assign CLIENT ENDPOINT [--address EXTERNAL]   the lowest free address, or the one named
          RouterAdmin unassign CLIENT ENDPOINT
          RouterAdmin endpoints list|add --name NAME --destination ADDRESS[/PREFIX] [--notes TEXT]|remove ENDPOINT
          RouterAdmin addresses list|add --address A --interface IF [--prefix 24] [--bind] [--notes TEXT]|remove A
          RouterAdmin import FILE [--format csv|json] [--dry-run] [--skip-refused]
                                                       clients (and endpoints, addresses) from a file, all or nothing
          RouterAdmin export [--format json|csv] [--out FILE]   the inventory, in the form import reads back
                                                       the inventory verbs take --json; changes wait for a running apply
          RouterAdmin token create --user NAME --name LABEL --role Admin|Viewer [--expires 30d|12h|2027-01-31]
                                                       an API token; printed once, on the last line
          RouterAdmin token list [--json]              every token with its owner, role, expiry and last use
          RouterAdmin token revoke --id N [--json]     refused at once from then on
        Configuration options (e.g. --RouterAdmin:Firewall:Backend=Iptables) may follow any verb.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
        var rest = verb is null ? args : args[1..];
        switch (verb)
        {
            case null:
                await RouterAdminHost.BuildWebApp(args).RunAsync();
                return 0;
            case "create-admin":
                return await WithServicesAsync(rest, CreateAdminAsync, changesRouter: false);
            case "preview":
                return await WithServicesAsync(rest, (services, _) => PreviewAsync(services), changesRouter: false);
            case "apply":
                return await WithServicesAsync(rest, ApplyAsync, changesRouter: true);
            case "backup":
                return await WithServicesAsync(rest, BackupAsync, changesRouter: false);
            case "restore":
                return await WithServicesAsync(rest, (services, _) => RestoreAsync(services), changesRouter: true);
            case "clients" or "assign" or "unassign" or "endpoints" or "addresses" or "import" or "export":
                return await WithServicesAsync(rest, (services, words) => Verbs.InventoryVerbs.RunAsync(verb, services, words), changesRouter: false);
            case "token":
                return await WithServicesAsync(rest, Verbs.TokenVerbs.RunAsync, changesRouter: false);
            case "help" or "--help" or "-h":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine($"Unknown verb '{verb}'.\n{Usage}");
                return 2;
        }
    }

    /// <param name="changesRouter">Verbs that change the router first finish an apply a dead process left half done; the others touch nothing.</param>
    internal static async Task<int> WithServicesAsync(string[] args, Func<IServiceProvider, string[], Task<int>> run, bool changesRouter)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args.Where(a => a.StartsWith("--RouterAdmin", StringComparison.OrdinalIgnoreCase)).ToArray(),
            ContentRootPath = RouterAdminHost.ContentRoot(),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Standard output is the verbs' answer (a script parses --json); what the log says goes to standard error.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddRouterAdminCore(builder.Configuration, builder.Environment.ContentRootPath);
        using var host = builder.Build();
        try
        {
            // The verbs never start the host, so its start-up validation of the options runs here.
            ValidatedOptions.ValidateNow(host.Services);
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        await DatabaseMigrator.MigrateAsync(host.Services);
        if (changesRouter)
            await host.Services.GetRequiredService<ApplyRecovery>().RecoverAsync(CancellationToken.None);
        return await run(host.Services, args);
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider services, string[] args)
    {
        var user = ValueOf(args, "--user");
        if (user is null)
        {
            Console.Error.WriteLine("create-admin needs --user NAME.");
            return 2;
        }
        var password = Environment.GetEnvironmentVariable("ROUTERADMIN_PASSWORD");
        if (string.IsNullOrEmpty(password))
        {
            if (!Console.IsInputRedirected) Console.Error.Write("Password: ");
            password = Console.ReadLine() ?? "";
        }
        try
        {
            await services.GetRequiredService<UserService>().CreateUserAsync(user, password, UserRole.Admin, Actor.System);
        }
        catch (InvalidInput e)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, e.Errors.Messages));
            return 1;
        }
        Console.WriteLine($"Administrator {user.Trim()} created.");
        return 0;
    }

    private static async Task<int> PreviewAsync(IServiceProvider services)
    {
        var preview = await services.GetRequiredService<ApplyEngine>().PreviewApplyAsync();
        Console.WriteLine(preview.UnifiedDiff);
        Console.WriteLine(preview.InSync ? "In sync: nothing to apply." : $"Fingerprint {preview.Fingerprint}: +{preview.RulesAdded} -{preview.RulesRemoved}");
        return 0;
    }

    private static async Task<int> ApplyAsync(IServiceProvider services, string[] args)
    {
        var reason = ValueOf(args, "--reason");
        if (reason is null || !args.Contains("--yes"))
        {
            Console.Error.WriteLine("apply needs --reason TEXT and --yes (after reading the diff that `preview` prints).");
            return 2;
        }
        var engine = services.GetRequiredService<ApplyEngine>();
        var preview = await engine.PreviewApplyAsync();
        Console.WriteLine(preview.UnifiedDiff);
        var result = await engine.ApplyAsync(new ApplyRequest(new Actor("cli", UserRole.Admin), reason, preview.Fingerprint));
        Console.WriteLine(result.Message);
        if (result.Error is not null) Console.Error.WriteLine(result.Error);
        return result.Succeeded ? 0 : 1;
    }

    private static async Task<int> RestoreAsync(IServiceProvider services)
    {
        var result = await services.GetRequiredService<ApplyEngine>().RestoreConfirmedAsync();
        if (result is null)
        {
            Console.WriteLine("Nothing has been applied yet; there is nothing to restore.");
            return 0;
        }
        Console.WriteLine(result.Message);
        if (result.Error is not null) Console.Error.WriteLine(result.Error);
        return result.Succeeded ? 0 : 1;
    }

    private static async Task<int> BackupAsync(IServiceProvider services, string[] args)
    {
        var file = ValueOf(args, "--out");
        if (string.IsNullOrWhiteSpace(file))
        {
            Console.Error.WriteLine("backup needs --out FILE.");
            return 2;
        }
        var bytes = await services.GetRequiredService<DatabaseBackup>().BackupToAsync(file, "cli", CancellationToken.None);
        Console.WriteLine($"Backup written to {Path.GetFullPath(file)} ({bytes / 1024.0:N0} KiB).");
        return 0;
    }

    internal static string? ValueOf(string[] args, string option)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
