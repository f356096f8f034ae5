using System.Net;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace RouterAdmin.TestSupport.Lab;

/// <summary>
/// The router lab of docs/netns-lab.md, built from scratch in uniquely named network namespaces and removed on
/// dispose. Nothing is attached to the host's own interfaces: every veth is created with both ends already inside
/// lab namespaces, so no interface of the lab ever exists in the host namespace, even for an instant.
/// </summary>
public sealed class NetnsLab : IAsyncDisposable
{
    public const string WanInterface = "wan";
    public const string BridgeInterface = "br0";
    public const string NamespacePrefix = "ra-";

    public static readonly IPNetwork LanSubnet = IPNetwork.Parse("192.168.1.0/24");
    public static readonly IPAddress RouterLanAddress = IPAddress.Parse("192.168.1.1");
    public static readonly IPAddress RouterWanAddress = IPAddress.Parse("203.0.113.1");
    public static readonly IPAddress VpnGatewayAddress = IPAddress.Parse("203.0.113.254");
    public static readonly IPAddress VpnServer = IPAddress.Parse("198.51.100.10");
    public const int WanPrefixLength = 24;
    public const int AliasCount = 5;

    private const int MaxClients = 200;

    private readonly List<IAsyncDisposable> _attachments = [];
    private readonly Lock _gate = new();
    private int _disposed;

    private NetnsLab(string prefix, LabOptions options)
    {
        Prefix = prefix;
        Options = options;
        RouterNamespace = $"{prefix}-router";
        VpnNamespace = $"{prefix}-vpn";
        Clients = Enumerable.Range(1, options.ClientCount)
            .Select(n => new LabClient(n, $"{prefix}-c{n}", ClientAddress(n)))
            .ToArray();
        Conntrack = new Conntrack(this, RouterNamespace);
    }

    /// <summary>e.g. <c>ra-3f9a0c</c>; every namespace of this lab starts with it followed by '-'.</summary>
    public string Prefix { get; }
    public LabOptions Options { get; }
    public string RouterNamespace { get; }
    public string VpnNamespace { get; }
    public IReadOnlyList<LabClient> Clients { get; }
    public IReadOnlyList<string> Namespaces => [RouterNamespace, VpnNamespace, .. Clients.Select(c => c.Namespace)];

    /// <summary>conntrack in the router namespace.</summary>
    public Conntrack Conntrack { get; }

    /// <summary>203.0.113.(1+n): alias 1 is 203.0.113.2.</summary>
    public static IPAddress ExternalAlias(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 252);
        return IPAddress.Parse($"203.0.113.{1 + n}");
    }

    public static IPAddress ClientAddress(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxClients);
        return IPAddress.Parse($"192.168.1.{1 + number}");
    }

    public static async Task<NetnsLab> CreateAsync(LabOptions? options = null, CancellationToken ct = default)
    {
        LabRequirements.Ensure();
        options ??= new LabOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClientCount, 1, nameof(options.ClientCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ClientCount, MaxClients, nameof(options.ClientCount));

        var lab = new NetnsLab(NewPrefix(), options);
        var step = "start";
        try
        {
            foreach (var (name, action) in lab.SetupSteps())
            {
                step = name;
                await action(ct);
                if (options.FailAfterStep == name)
                    throw new InvalidOperationException($"Injected failure after '{name}'.");
            }
            return lab;
        }
        catch (Exception e)
        {
            await DeleteNamespacesAsync(lab.Prefix);
            if (e is OperationCanceledException && ct.IsCancellationRequested)
                throw;
            throw new NetnsLabSetupException(lab.Prefix, step, e);
        }
    }

    /// <summary>Runs <c>ip netns exec <paramref name="ns"/> program args…</c>; throws with stderr on a non-zero exit.</summary>
    public Task<string> ExecAsync(string ns, string program, params string[] args) =>
        LabCommand.RunAsync("ip", NetnsExec(ns, program, args), ct: TestContext.Current.CancellationToken);

    /// <summary>As <see cref="ExecAsync"/>, but returns the exit code and output instead of throwing.</summary>
    public Task<CommandResult> TryExecAsync(string ns, string program, params string[] args) =>
        LabCommand.TryRunAsync("ip", NetnsExec(ns, program, args), ct: TestContext.Current.CancellationToken);

    /// <summary><c>iptables args…</c> in the router namespace.</summary>
    public Task<string> IptablesAsync(params string[] args) => ExecAsync(RouterNamespace, "iptables", args);

    public async Task<EspReceiver> StartEspReceiverAsync(CancellationToken ct = default) =>
        Attach(await EspReceiver.StartAsync(VpnNamespace, ct));

    public async Task<EspSender> OpenEspSenderAsync(LabClient client, CancellationToken ct = default) =>
        Attach(await EspSender.OpenAsync(client.Namespace, ct));

    /// <summary>A continuous ESP flow from <paramref name="client"/> to <see cref="VpnServer"/> (every 20 ms by default).</summary>
    public async Task<EspFlow> StartEspFlowAsync(LabClient client, uint spi, TimeSpan? interval = null, CancellationToken ct = default) =>
        Attach(await EspFlow.StartAsync(client.Namespace, VpnServer, spi, interval ?? EspFlow.DefaultInterval, ct));

    public async Task<IkeReceiver> StartIkeReceiverAsync(CancellationToken ct = default) =>
        Attach(await IkeReceiver.StartAsync(VpnNamespace, VpnServer, ct));

    public async Task<IkeProbe> OpenIkeProbeAsync(LabClient client, CancellationToken ct = default) =>
        Attach(await IkeProbe.OpenAsync(client.Namespace, VpnServer, ct));

    /// <summary>Closes every socket the lab handed out, then deletes all of the lab's namespaces.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;

        IAsyncDisposable[] attachments;
        lock (_gate)
            attachments = [.. Enumerable.Reverse(_attachments)];
        foreach (var attachment in attachments)
        {
            try
            {
                await attachment.DisposeAsync();
            }
            catch
            {
                // A tool that fails to close must not keep the namespaces alive.
            }
        }

        await DeleteNamespacesAsync(Prefix);
    }

    /// <summary>Names of the namespaces currently present under /run/netns that belong to <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> ExistingNamespaces(string prefix) =>
        Directory.Exists(Netns.RunDirectory)
            ? Directory.EnumerateFileSystemEntries(Netns.RunDirectory)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(name => name.StartsWith(prefix + "-", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];

    /// <summary>Every namespace name <c>ip netns list</c> reports on this machine (the lab's or not).</summary>
    public static async Task<IReadOnlyList<string>> ListAllNamespacesAsync(CancellationToken ct = default)
    {
        var output = await LabCommand.RunAsync("ip", ["netns", "list"], ct: ct);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])];
    }

    private IEnumerable<(string Name, Func<CancellationToken, Task> Action)> SetupSteps()
    {
        yield return ("namespaces and links", CreateNamespacesAndLinksAsync);
        yield return ("addresses and routes", ConfigureNamespacesAsync);
        yield return ("forwarding", _ => Netns.WriteSysctlAsync(RouterNamespace, "net.ipv4.ip_forward", "1"));
        if (Options.Masquerade)
            yield return ("masquerade", ct => LabCommand.RunAsync("ip", NetnsExec(RouterNamespace, "iptables",
                ["-t", "nat", "-A", "POSTROUTING", "-s", LanSubnet.ToString(), "-o", WanInterface, "-j", "MASQUERADE"]), ct: ct));
    }

    // One `ip -batch` creates every namespace and veth: a process per command would cost more than the lab itself.
    private Task CreateNamespacesAndLinksAsync(CancellationToken ct)
    {
        var batch = new StringBuilder();
        foreach (var ns in Namespaces)
            batch.AppendLine($"netns add {ns}");
        batch.AppendLine($"link add {WanInterface} netns {RouterNamespace} type veth peer name eth0 netns {VpnNamespace}");
        foreach (var client in Clients)
            batch.AppendLine($"link add {LanPort(client)} netns {RouterNamespace} type veth peer name eth0 netns {client.Namespace}");
        return LabCommand.RunAsync("ip", ["-batch", "-"], batch.ToString(), ct);
    }

    private Task ConfigureNamespacesAsync(CancellationToken ct)
    {
        var router = new StringBuilder()
            .AppendLine("link set lo up")
            .AppendLine($"link add {BridgeInterface} type bridge")
            .AppendLine($"addr add {RouterLanAddress}/{LanSubnet.PrefixLength} dev {BridgeInterface}")
            .AppendLine($"link set {BridgeInterface} up");
        foreach (var client in Clients)
            router.AppendLine($"link set {LanPort(client)} master {BridgeInterface} up");
        router.AppendLine($"addr add {RouterWanAddress}/{WanPrefixLength} dev {WanInterface}");
        if (Options.BindAliases)
            for (var n = 1; n <= AliasCount; n++)
                router.AppendLine($"addr add {ExternalAlias(n)}/{WanPrefixLength} dev {WanInterface}");
        router.AppendLine($"link set {WanInterface} up")
            .AppendLine($"route add default via {VpnGatewayAddress}");

        var vpn = new StringBuilder()
            .AppendLine("link set lo up")
            .AppendLine($"addr add {VpnServer}/32 dev lo")
            .AppendLine($"addr add {VpnGatewayAddress}/{WanPrefixLength} dev eth0")
            .AppendLine("link set eth0 up");

        var jobs = new List<Task> { BatchInAsync(RouterNamespace, router, ct), BatchInAsync(VpnNamespace, vpn, ct) };
        foreach (var client in Clients)
        {
            var config = new StringBuilder()
                .AppendLine("link set lo up")
                .AppendLine($"addr add {client.Address}/{LanSubnet.PrefixLength} dev eth0")
                .AppendLine("link set eth0 up")
                .AppendLine($"route add default via {RouterLanAddress}");
            jobs.Add(BatchInAsync(client.Namespace, config, ct));
        }
        return Task.WhenAll(jobs);
    }

    private static Task BatchInAsync(string ns, StringBuilder batch, CancellationToken ct) =>
        LabCommand.RunAsync("ip", ["-n", ns, "-batch", "-"], batch.ToString(), ct);

    private static string LanPort(LabClient client) => $"lan{client.Number}";

    private static string[] NetnsExec(string ns, string program, IReadOnlyList<string> args) =>
        ["netns", "exec", ns, LabTools.Find(program) ?? program, .. args];

    private static string NewPrefix() => NamespacePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    private T Attach<T>(T attachment) where T : IAsyncDisposable
    {
        lock (_gate)
            _attachments.Add(attachment);
        return attachment;
    }

    // Never takes a cancellation token: cleanup has to run even when the test was cancelled.
    private static async Task DeleteNamespacesAsync(string prefix)
    {
        var names = ExistingNamespaces(prefix);
        if (names.Count == 0)
            return;

        // -force keeps going past a namespace that vanished meanwhile; deleting a namespace deletes its veth ends,
        // and with them their peers in the other lab namespaces.
        var batch = string.Concat(names.Select(name => $"netns del {name}\n"));
        var result = await LabCommand.TryRunAsync("ip", ["-force", "-batch", "-"], batch);

        var left = ExistingNamespaces(prefix);
        if (left.Count > 0)
            throw new InvalidOperationException(
                $"Could not delete lab namespaces {string.Join(", ", left)}: {result.StandardError.Trim()}");
    }
}
