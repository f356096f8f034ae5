using System.Globalization;

namespace RouterAdmin.Bench;

public sealed class UsageException(string message) : Exception(message);

/// <param name="Sizes">Numbers of assignments to measure, smallest first.</param>
/// <param name="Repeat">Repetitions of every fast measurement (apply cycles, bare restores, piece profiles).</param>
/// <param name="RuleByRuleRepeat">Repetitions of the slow one-process-per-rule baseline (tens of seconds at 10,000).</param>
/// <param name="QueryRepeat">Repetitions of each inventory query, after one first (cold) call.</param>
/// <param name="QuerySize">The size at which the inventory queries run (the largest one measured if it is not among the sizes).</param>
/// <param name="OutputPath">Where the Markdown report goes, besides stdout; null for stdout only.</param>
/// <param name="Arguments">The command line as given, for the report.</param>
public sealed record BenchOptions(
    IReadOnlyList<int> Sizes,
    int Repeat,
    int RuleByRuleRepeat,
    int QueryRepeat,
    int QuerySize,
    string? OutputPath,
    IReadOnlyList<string> Arguments)
{
    /// <summary>Clients created one API call at a time in the burst measurement; 0 leaves it out.</summary>
    public int ApiBurst { get; init; } = 1_000;

    /// <summary>Only the API burst: it needs no root and no namespace router.</summary>
    public bool ApiBurstOnly { get; init; }

    /// <summary>Only /healthz during a flood of sign-ins (<see cref="SignInFlood"/>): no root needed.</summary>
    public bool SignInFloodOnly { get; init; }

    /// <summary>Whether to run the sign-in flood at all (it takes a few seconds and needs no root).</summary>
    public bool SignInFlood { get; init; } = true;

    /// <summary>One-client changes piled onto the largest size to measure the history's growth on disk; 0 leaves it out.</summary>
    public int HistoryChanges { get; init; } = HistoryGrowth.TargetChanges;

    /// <summary>Only the history's growth, on the simulated backend: no root and no namespace router needed.</summary>
    public bool HistoryOnly { get; init; }

    /// <summary>Only the bulk import of <see cref="BulkImportClients"/> clients (<see cref="BulkImport"/>): no root needed; replaces only its own section of the report.</summary>
    public bool BulkImportOnly { get; init; }

    public int BulkImportClients { get; init; } = 10_000;

    /// <summary>Only the load test (<see cref="LoadTest"/>): no root needed; updates just its section of the report.</summary>
    public bool LoadOnly { get; init; }

    public int LoadBrowsers { get; init; } = 20;
    public int LoadApiClients { get; init; } = 10;
    public int LoadSeconds { get; init; } = 60;

    /// <summary>Only both real backends side by side (<see cref="BackendComparison"/>), new flows included.</summary>
    public bool BackendsOnly { get; init; }

    /// <summary>Only the new-flow rate through the router, both backends, at the smallest and largest size.</summary>
    public bool FlowsOnly { get; init; }

    /// <summary>New UDP flows sent per repetition of the flow-rate measurement; 0 leaves it out.</summary>
    public int Flows { get; init; } = 20_000;

    /// <summary>Repetitions of the flow-rate measurement (conntrack flushed before each).</summary>
    public int FlowRepeat { get; init; } = 15;

    /// <summary>Only the VPN watch's per-packet cost on an ESP stream, off vs on (<see cref="WatchCost"/>): updates just its section of the report.</summary>
    public bool WatchOnly { get; init; }

    /// <summary>ESP packets per loop of the watch measurement.</summary>
    public int EspPackets { get; init; } = 50_000;

    /// <summary>Repetitions of the watch measurement, each one loop per case with the watch off and one with it on.</summary>
    public int EspRepeat { get; init; } = 9;

    /// <summary>Colliding hosts timed from their first packet to the watcher naming them (0: leave the latency out).</summary>
    public int WatchLatencyRepeat { get; init; } = 5;

    /// <summary>One-client applies between the memory and database readings of the side by side; 0 leaves it out.</summary>
    public int GrowthApplies { get; init; } = 20;

    /// <summary>The real backends the side by side measures (both by default; --backend picks one while working on it).</summary>
    public IReadOnlyList<string> Backends { get; init; } = BackendComparison.Backends;

    /// <summary>Whether --out was given: a partial run (--only backends, --only flows) writes a file only then.</summary>
    public bool OutputGiven { get; init; }

    /// <summary>The side-by-side part of the run: in a full run, and alone with --only backends or --only flows.</summary>
    public bool SideBySide => !ApiBurstOnly && !SignInFloodOnly && !HistoryOnly && !LoadOnly && !WatchOnly;

    /// <summary>Where this run's report goes: a partial run never overwrites docs/benchmarks.md unless asked to.</summary>
    public string? ReportPath => BackendsOnly || FlowsOnly ? (OutputGiven ? OutputPath : null) : OutputPath;

    public const string Usage = """
        Usage: sudo dotnet run -c Release --project bench/RouterAdmin.Bench -- [options]

          --sizes 10,1000,10000        assignments to measure (each 1..10000)
          --repeat 5                   repetitions of the apply cycles, bare restores and piece profiles
          --rule-by-rule-repeat 1      repetitions of the one-iptables-process-per-rule baseline
          --query-repeat 20            repetitions of each inventory query (after one cold call)
          --query-size 10000           number of clients for the inventory queries
          --api-burst 1000             clients created one POST /api/v1/clients at a time (0: leave out)
          --only api-burst             measure only that (no root needed)
          --only sign-in-flood         only /healthz during a flood of sign-ins (no root needed)
          --history-changes 100        one-client changes applied on top of the largest size, for the
                                       history's growth on disk (0: leave out)
          --only history               only the history's growth, on the simulated backend (no root
                                       needed); updates just that section of the report
          --only bulk-import           only a CSV of 10,000 clients with an assignment each, previewed and
                                       imported 3 times (no root needed; updates just that section)
          --only load                  only the load test: 20 browser sessions and 10 API clients editing,
                                       previewing and applying for 60 s (no root needed; updates just
                                       that section of the report)
          --load-browsers 20 --load-api 10 --load-seconds 60   its size
          --only backends              only iptables vs nftables side by side at each size (full apply
                                       vs a bare run of its transaction, one client reassigned, memory
                                       and database growth, new flows)
          --only flows                 only new flows per second through the router, both backends
          --backend nftables           the side by side for one backend only (iptables or nftables)
          --flows 20000                new UDP flows per repetition of the flow rate (0: leave out)
          --flow-repeat 15             rounds of the flow rate, the sizes measured in turn (median reported)
          --only watch                 the VPN watch's per-packet cost on an ESP stream (established and
                                       colliding flows, watch off vs on, both backends or --backend) and
                                       its detection latency, ~2 min; updates just that section of the
                                       report (a full run leaves it out and keeps the section)
          --esp-packets 50000          ESP packets per loop of the watch measurement
          --esp-repeat 9               repetitions of the watch measurement (off and on in each)
          --watch-latency-repeat 5     colliding hosts timed until the watcher names them (0: leave out)
          --growth-applies 20          one-client applies between the memory/database readings (0: leave out)
          --out docs/benchmarks.md     where to write the Markdown report ("-" for stdout only);
                                       default: docs/benchmarks.md of the repository, except with
                                       --only backends / --only flows (stdout unless --out is given)
        """;

    public int QueryRunSize => Sizes.Contains(QuerySize) ? QuerySize : Sizes[^1];

    public static BenchOptions Parse(IReadOnlyList<string> args, string repositoryRoot)
    {
        var options = new BenchOptions([10, 1_000, 10_000], 5, 1, 20, 10_000, Path.Combine(repositoryRoot, "docs", "benchmarks.md"), args);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") throw new UsageException("");
            if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value.");
            var value = args[++i];
            options = name switch
            {
                "--sizes" => options with { Sizes = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Count(name, v, 1, BenchInventory.MaxAssignments)).Distinct().Order()] },
                "--repeat" => options with { Repeat = Count(name, value, 1, 1_000) },
                "--rule-by-rule-repeat" => options with { RuleByRuleRepeat = Count(name, value, 0, 100) },
                "--query-repeat" => options with { QueryRepeat = Count(name, value, 1, 10_000) },
                "--query-size" => options with { QuerySize = Count(name, value, 1, BenchInventory.MaxAssignments) },
                "--api-burst" => options with { ApiBurst = Count(name, value, 0, 100_000) },
                "--only" when value == "api-burst" => options with { ApiBurstOnly = true, SignInFlood = false },
                "--only" when value == "sign-in-flood" => options with { SignInFloodOnly = true, ApiBurst = 0 },
                "--history-changes" => options with { HistoryChanges = Count(name, value, 0, 10_000) },
                "--only" when value == "history" => options with { HistoryOnly = true, ApiBurst = 0, SignInFlood = false },
                "--only" when value == "bulk-import" => options with { BulkImportOnly = true, ApiBurst = 0, SignInFlood = false },
                "--only" when value == "load" => options with { LoadOnly = true, ApiBurst = 0, SignInFlood = false },
                "--load-browsers" => options with { LoadBrowsers = Count(name, value, 0, 100) },
                "--load-api" => options with { LoadApiClients = Count(name, value, 0, 100) },
                "--load-seconds" => options with { LoadSeconds = Count(name, value, 5, 3_600) },
                "--only" when value == "backends" => options with { BackendsOnly = true, ApiBurst = 0, SignInFlood = false },
                "--only" when value == "flows" => options with { FlowsOnly = true, ApiBurst = 0, SignInFlood = false },
                "--backend" => options with { Backends = [BackendComparison.Backends.FirstOrDefault(b => b.Equals(value, StringComparison.OrdinalIgnoreCase))
                    ?? throw new UsageException($"--backend takes iptables or nftables, not \"{value}\".")] },
                "--flows" => options with { Flows = Count(name, value, 0, 50_000) },
                "--flow-repeat" => options with { FlowRepeat = Count(name, value, 1, 100) },
                "--only" when value == "watch" => options with { WatchOnly = true, ApiBurst = 0, SignInFlood = false },
                "--esp-packets" => options with { EspPackets = Count(name, value, 1, 500_000) },
                "--esp-repeat" => options with { EspRepeat = Count(name, value, 1, 100) },
                "--watch-latency-repeat" => options with { WatchLatencyRepeat = Count(name, value, 0, 50) },
                "--growth-applies" => options with { GrowthApplies = Count(name, value, 0, 1_000) },
                "--out" => options with { OutputPath = value == "-" ? null : Path.GetFullPath(value), OutputGiven = true },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }
        if (options.Sizes.Count == 0) throw new UsageException("--sizes needs at least one size.");
        if (options.FlowsOnly && options.Flows == 0) throw new UsageException("--only flows needs --flows above 0.");
        return options;
    }

    private static int Count(string option, string text, int min, int max) =>
        int.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} takes whole numbers from {min} to {max}, not \"{text}\".");
}
