using System.Diagnostics;
using RouterAdmin.Bench;

// Measures RouterAdmin's apply engine and inventory on a throw-away namespace router; see Report for what is written.
var repositoryRoot = RepositoryRoot();
BenchOptions options;
try
{
    options = BenchOptions.Parse(args, repositoryRoot);
}
catch (UsageException e)
{
    if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return e.Message.Length > 0 ? 2 : 0;
}
if (!Environment.IsPrivilegedProcess && !options.ApiBurstOnly && !options.SignInFloodOnly && !options.HistoryOnly && !options.BulkImportOnly && !options.LoadOnly)
{
    Console.Error.WriteLine("The benchmark creates network namespaces and runs iptables in them: run it as root (sudo).");
    return 1;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the finally blocks delete the namespaces and the database instead of dying on the spot.
    e.Cancel = true;
    cancellation.Cancel();
};
var ct = cancellation.Token;
var started = Stopwatch.GetTimestamp();
void Log(string message) => Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(started):mm\\:ss}] {message}");

var loadAtStart = MachineInfo.LoadAverage();
var machine = await MachineInfo.ReadAsync(ct);
if (!machine.IsReleaseBuild) Log($"warning: this is a {machine.Build} build; use -c Release for figures worth publishing");

var results = new List<SizeResult>();
ApiBurstResult? burst = null;
SignInFloodResult? flood = null;
IReadOnlyList<BackendResult> sideBySide = [];
try
{
    if (options.SignInFlood)
    {
        flood = await SignInFlood.RunAsync(Log, ct);
    }
    if (options.ApiBurst > 0)
    {
        // Warm-up burst first: JIT and EF Core's query compilation would otherwise land on the first window.
        await ApiBurst.RunAsync(Math.Min(200, options.ApiBurst), _ => { }, ct);
        burst = await ApiBurst.RunAsync(options.ApiBurst, Log, ct);
        Log($"API burst: first {ApiBurst.Window} median {burst.First.Median:N1} ms, last {burst.Last.Median:N1} ms ({burst.Ratio:N2}x)");
    }
    if (options.HistoryOnly)
        return await MeasureHistoryOnlyAsync();
    if (options.LoadOnly)
        return await MeasureLoadOnlyAsync();
    if (options.BulkImportOnly)
        return await MeasureBulkImportOnlyAsync();
    if (options.WatchOnly)
        return await MeasureWatchOnlyAsync();
    if (!options.ApiBurstOnly && !options.SignInFloodOnly && !options.BackendsOnly && !options.FlowsOnly)
        await MeasureSizesAsync();
    if (options.SideBySide)
    {
        // A router of its own: nothing the size runs left behind (conntrack entries, neighbours) is in its figures.
        await using var router = await BenchRouter.CreateAsync(ct);
        Log($"side by side in namespace {router.RouterNamespace}");
        sideBySide = await new BackendComparison(router, options, Log).RunAsync(ct);
    }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Log("interrupted; the bench router and database were removed");
    return 130;
}

async Task MeasureSizesAsync()
{
    await using var router = await BenchRouter.CreateAsync(ct);
    Log($"bench router in namespace {router.RouterNamespace}");

    // JIT, EF Core's model and query compilation: paid once here so the smallest size is not measured cold.
    await new SizeBenchmark(router, options with { Repeat = 1, RuleByRuleRepeat = 1 }, _ => { }).RunAsync(10, withQueries: false, ct);
    Log("warm-up done");

    var benchmark = new SizeBenchmark(router, options, Log);
    foreach (var size in options.Sizes)
        results.Add(await benchmark.RunAsync(size, withQueries: size == options.QueryRunSize, ct, withHistory: size == options.Sizes[^1]));
}

// The load test and the bulk import need no root either; like the history, only their own section of the report is replaced.
async Task<int> MeasureLoadOnlyAsync()
{
    var load = await LoadTest.RunAsync(options.LoadBrowsers, options.LoadApiClients, TimeSpan.FromSeconds(options.LoadSeconds), Log, ct);
    var md = new System.Text.StringBuilder();
    LoadTest.Render(md, load);
    await WriteSectionAsync("load", md.ToString());
    return load.Consistent && load.ErrorAnswers == 0 ? 0 : 1;
}

async Task<int> MeasureBulkImportOnlyAsync()
{
    var (section, met) = await BulkImport.RunAsync(options.BulkImportClients, Log, ct);
    await WriteSectionAsync("bulk-import", section);
    return met ? 0 : 1;
}

async Task WriteSectionAsync(string key, string markdown)
{
    var section = HistoryReport.Keep(key, markdown,
        $"dotnet run -c {machine.Build} --project bench/RouterAdmin.Bench -- {string.Join(' ', options.Arguments)}", MachineInfo.LoadAverage());
    Console.Out.Write(section);
    if (options.OutputPath is not { } output) return;
    var document = File.Exists(output) ? await File.ReadAllTextAsync(output, CancellationToken.None) : "# RouterAdmin benchmarks\n";
    await File.WriteAllTextAsync(output, HistoryReport.Upsert(document, key, section), CancellationToken.None);
    Log($"updated the {key} section of {output}");
}

// The VPN watch's cost per ESP packet (root: bench routers of its own), about 2 minutes: too long for the full run, which
// keeps the section this writes (KeepUnmeasured); like the load test's, only its own section is replaced.
async Task<int> MeasureWatchOnlyAsync()
{
    var result = await new WatchCost(options, Log).RunAsync(ct);
    var section = WatchReport.Section(result, machine, $"sudo dotnet run -c {machine.Build} --project bench/RouterAdmin.Bench -- {string.Join(' ', options.Arguments)}");
    Console.Out.Write(section);
    if (options.OutputPath is { } output)
    {
        var document = File.Exists(output) ? await File.ReadAllTextAsync(output, CancellationToken.None) : "# RouterAdmin benchmarks\n";
        await File.WriteAllTextAsync(output, HistoryReport.Upsert(document, WatchReport.Key, section), CancellationToken.None);
        Log($"updated the watch section of {output}");
    }
    return 0;
}

// The history's growth on the simulated backend (the same snapshots, its "kernel" kept in the database), which needs
// no root: only its own section of the report is replaced, the figures measured as root stay.
async Task<int> MeasureHistoryOnlyAsync()
{
    var size = options.Sizes[^1];
    await using var console = await TestConsole.StartAsync(new ConsoleSetup { Backend = "Simulated", OnDisk = true });
    var seeded = await console.SeedAsync(size, ct);
    Log($"history: seeded {size:N0} assignments on the simulated backend");
    var history = await HistoryGrowth.RunAsync(console, seeded, options.HistoryChanges, Log, ct);
    var section = HistoryReport.Section(history, $"dotnet run -c {machine.Build} --project bench/RouterAdmin.Bench -- {string.Join(' ', options.Arguments)}");
    Console.Out.Write(section);
    if (options.OutputPath is { } output)
    {
        var document = File.Exists(output) ? await File.ReadAllTextAsync(output, CancellationToken.None) : "# RouterAdmin benchmarks\n";
        await File.WriteAllTextAsync(output, HistoryReport.Upsert(document, history.Backend, section), CancellationToken.None);
        Log($"updated the {history.Backend} history section of {output}");
    }
    return 0;
}

var report = Report.Render(options, machine, new RunInfo(Stopwatch.GetElapsedTime(started), loadAtStart, MachineInfo.LoadAverage()), results, burst, flood, sideBySide);
Console.Out.Write(report);
if (options.ReportPath is { } path)
{
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    if (File.Exists(path)) report = HistoryReport.KeepUnmeasured(report, await File.ReadAllTextAsync(path, CancellationToken.None));
    await File.WriteAllTextAsync(path, report, CancellationToken.None);
    Log($"wrote {path}");
}
return 0;

// The default report path is the repository's docs/, wherever the command is run from.
static string RepositoryRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "RouterAdmin.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}
