using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using Microsoft.EntityFrameworkCore;
using RouterAdmin.Firewall.Apply;
using RouterAdmin.Firewall.Status;
using RouterAdmin.History;
using RouterAdmin.Inventory;
using RouterAdmin.Security;

namespace RouterAdmin.WebTests.Automation;

/// <summary>
/// docs/automation.md is true: its curl script and its Ansible playbook, run as an administrator would run them against
/// a real console on loopback (simulated router), leave the router as the page says, and every route it names exists.
/// </summary>
public sealed partial class AutomationDocSpecs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string EndpointName = "Customer VPN";

    // The test database's folder is wider than the console likes, and it says so: not what these specs read.
    private static readonly Dictionary<string, string?> Quiet = new() { ["Logging:LogLevel:Default"] = "Error" };

    [Fact]
    public async Task The_curl_example_with_a_token_from_the_token_verb_sets_up_applies_and_confirms()
    {
        var curl = Tool("curl", "apt-get install curl");
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        // Made as the page's first step says, on the router: the token is the verb's last line.
        var created = await ConsoleProcess.RunAsync(console, ["token", "create", "--user", "admin", "--name", "provisioning", "--role", "Admin"], Ct, Quiet);
        Assert.True(created.Code == 0, created.Output);
        var token = created.Output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("ra_", token);

        var run = await RunAsync("/bin/bash", ["automation-example.sh"], console, token, AutomationDoc.Example("curl", "bash"), "automation-example.sh");

        Assert.True(run.ExitCode == 0, $"{curl} script exited {run.ExitCode}:\n{run.StandardOutput}\n{run.StandardError}");
        Assert.Contains("revision 1: Applied", run.StandardOutput);
        await AssertSetUpAndConfirmedAsync(console, "admin (token provisioning)", "VPN for alice-laptop and bob-laptop");
    }

    [Fact]
    public async Task The_Ansible_playbook_does_the_same_and_a_second_run_changes_nothing()
    {
        var playbook = Tool("ansible-playbook", "apt-get install ansible-core");
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        var token = (await console.CreateTokenAsync("admin", "ansible", UserRole.Admin)).Secret;
        var text = AutomationDoc.Example("ansible", "yaml");

        var first = await RunAsync(playbook, ["routeradmin.yml"], console, token, text, "routeradmin.yml");
        Assert.True(first.ExitCode == 0, $"ansible-playbook exited {first.ExitCode}:\n{first.StandardOutput}\n{first.StandardError}");
        await AssertSetUpAndConfirmedAsync(console, "admin (token ansible)", "VPN clients from Ansible");
        var audited = await AuditCountAsync(console);

        var second = await RunAsync(playbook, ["routeradmin.yml"], console, token, text, "routeradmin.yml");

        Assert.True(second.ExitCode == 0, $"the second run exited {second.ExitCode}:\n{second.StandardOutput}\n{second.StandardError}");
        Assert.Matches(@"localhost\s+: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0", second.StandardOutput);
        await AssertSetUpAndConfirmedAsync(console, "admin (token ansible)", "VPN clients from Ansible");
        Assert.Equal(audited, await AuditCountAsync(console));
    }

    [Fact]
    public async Task Every_route_the_page_names_or_calls_is_in_the_OpenAPI_document_with_that_method()
    {
        await using var console = await TestConsole.StartAsync(ConsoleSetup.WebApp());
        await console.CreateUserAsync("admin", UserRole.Admin);
        using var api = console.CreateTokenClient((await console.CreateTokenAsync("admin", "docs", UserRole.Admin)).Secret);
        using var response = await api.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Ct), cancellationToken: Ct)).RootElement.GetProperty("paths");
        var documented = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();

        var named = AutomationDoc.NamedRoutes().Select(r => $"{r.Method} {r.Path}").ToArray();
        var curled = CurlCalls(AutomationDoc.Example("curl", "bash"));
        var played = PlaybookCalls(AutomationDoc.Example("ansible", "yaml"));

        Assert.True(named.Length >= 10, string.Join(", ", named));
        Assert.Equal(9, curled.Count);
        Assert.Equal(8, played.Count);
        Assert.All(named.Concat(curled).Concat(played), route => Assert.Contains(route, documented));
    }

    /// <summary>What both examples leave: the endpoint, two bound addresses, both clients on them, one applied and confirmed revision, and an audit naming the token.</summary>
    private static async Task AssertSetUpAndConfirmedAsync(TestConsole console, string actor, string reason)
    {
        var endpoint = Assert.Single(await console.Endpoints.ListAsync(null, Ct));
        Assert.Equal((EndpointName, "198.51.100.10", 2, 2), (endpoint.Name, endpoint.Destination, endpoint.Used, endpoint.Total));
        var addresses = (await console.Addresses.GetPageAsync(new PageRequest(0, 50), Ct)).Items;
        Assert.Equal([("203.0.113.10", "eth1", 24, true), ("203.0.113.11", "eth1", 24, true)],
            addresses.Select(a => (a.Address, a.Interface, a.PrefixLength, a.BindOnWan)).OrderBy(a => a.Address));
        var clients = (await console.Clients.GetPageAsync(new PageRequest(0, 50), Ct)).Items;
        Assert.Equal(["alice-laptop", "bob-laptop"], clients.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal([("192.168.1.21", "203.0.113.10"), ("192.168.1.22", "203.0.113.11")],
            (await console.AssignmentsAsync()).Select(a => (a.Client.ToString(), a.External.ToString())));

        await using var db = await console.OpenDatabaseAsync();
        var revision = Assert.Single(await db.Revisions.AsNoTracking().ToListAsync(Ct));
        Assert.Equal((RevisionKind.Apply, RevisionStatus.Applied, actor, actor, reason),
            (revision.Kind, revision.Status, revision.Actor, revision.ConfirmedBy, revision.Reason));
        Assert.NotNull(revision.ConfirmDeadline);
        Assert.Null(console.Get<ConfirmationService>().Pending);
        Assert.True((await console.Get<FirewallStatusMonitor>().RefreshAsync(Ct)).InSync);
        var byToken = await db.Audit.AsNoTracking().Where(a => a.Actor == actor).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal([AuditActions.EndpointCreate, AuditActions.ExternalCreate, AuditActions.ExternalCreate,
            AuditActions.ClientCreate, AuditActions.AssignmentCreate, AuditActions.ClientCreate, AuditActions.AssignmentCreate,
            AuditActions.ClientsImport, AuditActions.Apply, AuditActions.ApplyConfirm], byToken);
    }

    private static async Task<int> AuditCountAsync(TestConsole console)
    {
        await using var db = await console.OpenDatabaseAsync();
        return await db.Audit.CountAsync(Ct);
    }

    /// <summary>
    /// Runs the example as its reader would: saved to a file in a folder of its own (which is also HOME, so no one's
    /// Ansible settings or 0700 home folder matter), with the two variables the page says to set.
    /// </summary>
    private static async Task<BufferedCommandResult> RunAsync(string tool, string[] arguments, TestConsole console, string token, string example, string file)
    {
        var folder = Directory.CreateTempSubdirectory("routeradmin-automation-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, file), example, Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            return await Cli.Wrap(tool).WithArguments(arguments).WithWorkingDirectory(folder)
                .WithEnvironmentVariables(new Dictionary<string, string?>
                {
                    ["ROUTERADMIN_URL"] = console.Address.ToString().TrimEnd('/'),
                    ["ROUTERADMIN_TOKEN"] = token,
                    ["HOME"] = folder,
                    ["ANSIBLE_LOCAL_TEMP"] = Path.Combine(folder, ".ansible", "tmp"),
                    ["ANSIBLE_NOCOLOR"] = "1",
                })
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(timeout.Token);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The tool on PATH; a machine without it fails the spec (CI installs it), it never skips.</summary>
    private static string Tool(string name, string install)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        if (found is null) Assert.Fail($"{name} is not installed, and docs/automation.md's example needs it: {install} (.ci/run does).");
        return found;
    }

    /// <summary>The script's <c>api METHOD PATH</c> calls, a shell variable in the path read as the route's {id}.</summary>
    private static IReadOnlyList<string> CurlCalls(string script) =>
        CurlCall().Matches(script).Select(m => $"{m.Groups[1].Value} /api/v1{ShellVariable().Replace(m.Groups[2].Value, "{id}")}").ToArray();

    /// <summary>The playbook's uri tasks on the API, as METHOD and path, a template in the path read as the route's {id}.</summary>
    private static IReadOnlyList<string> PlaybookCalls(string playbook) =>
        playbook.Split("- name:").Where(task => task.Contains("ansible.builtin.uri:", StringComparison.Ordinal))
            .Select(task => (Url: UriUrl().Match(task), Method: UriMethod().Match(task)))
            .Where(task => task.Url.Success)
            .Select(task => $"{(task.Method.Success ? task.Method.Groups[1].Value : "GET")} /api/v1{Template().Replace(task.Url.Groups[1].Value, "{id}")}")
            .ToArray();

    // The path ends at its query, its closing quote or the $( … ) around the call.
    [GeneratedRegex(@"\bapi (GET|POST|PUT|DELETE) [""']?(/[^""'\s?)]*)")]
    private static partial Regex CurlCall();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex ShellVariable();

    [GeneratedRegex(@"url: ""\{\{ routeradmin_api \}\}(/[^""?]*)")]
    private static partial Regex UriUrl();

    [GeneratedRegex(@"\bmethod: (GET|POST|PUT|DELETE)\b")]
    private static partial Regex UriMethod();

    [GeneratedRegex(@"\{\{[^}]*\}\}")]
    private static partial Regex Template();
}
