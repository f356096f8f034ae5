using RouterAdmin.Inventory;

namespace RouterAdmin.Bench;

/// <summary>
/// The inventory pages an administrator opens on a big router (issue "Foundation": each under 300 ms), through
/// the inventory services as the pages call them. The first call of each is reported apart: it pays EF Core's query compilation.
/// </summary>
public static class InventoryQueries
{
    public const double TargetMs = 300;
    private const int PageSize = 25;

    // A fresh endpoint has 101 free addresses; stay well inside them.
    private const int MaxAssignRepeat = 90;

    public static async Task<IReadOnlyList<QueryResult>> MeasureAsync(TestConsole console, int repeat, Action<string> log, CancellationToken ct)
    {
        var results = new List<QueryResult>();

        // Each call returns its own duration, so work that only prepares a call (a new client) stays out of the figure.
        async Task<T> MeasureAsync<T>(string name, int times, Func<int, Task<(T Result, double Milliseconds)>> call, Func<T, string> rows)
        {
            var (first, firstMs) = await call(0);
            var samples = new List<double>();
            for (var k = 1; k <= times; k++)
                samples.Add((await call(k)).Milliseconds);
            results.Add(new QueryResult(name, firstMs, Samples.Of(samples), rows(first)));
            log($"query {name}: first {firstMs:N1} ms, median {Samples.Of(samples).Median:N1} ms");
            return first;
        }

        Task<Page<T>> MeasurePageAsync<T>(string name, Func<Task<Page<T>>> query) =>
            MeasureAsync(name, repeat, _ => Timing.TimeAsync(query), page => $"{page.Items.Count} of {page.Total:N0}");

        var total = (await MeasurePageAsync("clients, first page by name", () => console.Clients.GetPageAsync(new PageRequest(0, PageSize), ct))).Total;
        await MeasurePageAsync("clients, first page by address", () => console.Clients.GetPageAsync(new PageRequest(0, PageSize, SortBy: SortKeys.Address), ct));
        await MeasurePageAsync("clients, last page by name", () => console.Clients.GetPageAsync(new PageRequest((total - 1) / PageSize, PageSize), ct));
        await MeasurePageAsync("clients, search \"0999\" (name)", () => console.Clients.GetPageAsync(new PageRequest(0, PageSize, "0999"), ct));
        await MeasurePageAsync("clients, search \"10.0.42.\" (address)", () => console.Clients.GetPageAsync(new PageRequest(0, PageSize, "10.0.42."), ct));
        await MeasurePageAsync("assignments, first page", () => console.Assignments.GetPageAsync(new PageRequest(0, PageSize), ct: ct));

        // A new endpoint has every external address free, so each fresh client gets one (the lowest free).
        var endpointId = await console.Endpoints.CreateAsync(new EndpointDraft { Name = "vpn-new", Destination = "198.51.100.200" }, BenchInventory.Admin, ct);
        await MeasureAsync("assign a free address to a new client", Math.Min(repeat, MaxAssignRepeat), async k =>
        {
            var clientId = await console.Clients.CreateAsync(new ClientDraft { Name = $"new-client-{k:000}", LanAddress = $"10.0.200.{10 + k}" }, BenchInventory.Admin, ct);
            return await Timing.TimeAsync(() => console.Assignments.AssignFreeAsync(clientId, endpointId, BenchInventory.Admin, ct));
        }, row => $"got {row.ExternalAddress}");
        return results;
    }
}
