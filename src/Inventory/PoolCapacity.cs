using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RouterAdmin.Data;

namespace RouterAdmin.Inventory;

/// <summary>Bound from <c>RouterAdmin:Pool</c>.</summary>
public sealed class PoolOptions
{
    public const string Section = "RouterAdmin:Pool";

    /// <summary>An endpoint with this many free external addresses or fewer is warned about (zero: only when none is left).</summary>
    public int WarningThreshold { get; set; } = 1;

    public static IEnumerable<string> Problems(PoolOptions options)
    {
        if (options.WarningThreshold < 0)
            yield return $"{Section}:WarningThreshold must be zero or more (was {options.WarningThreshold}).";
    }
}

/// <summary>
/// How many external addresses are still free towards one endpoint. Every external address can serve every endpoint,
/// once per endpoint, so the free ones are all of them less those already held towards this endpoint.
/// </summary>
public sealed record EndpointPool(int EndpointId, string Endpoint, int Total, int Used, int WarningThreshold)
{
    public int Free => Math.Max(0, Total - Used);
    public bool Exhausted => Free == 0;

    /// <summary>At or below the threshold: worth a warning before the next client is refused.</summary>
    public bool Low => Free <= WarningThreshold;
}

/// <summary>The pool figure per endpoint: for the dashboard, the endpoint's page, the notifications and (later) the metrics.</summary>
public sealed class PoolCapacity(IDbContextFactory<AppDbContext> dbFactory, IOptions<PoolOptions> options)
{
    public int WarningThreshold => options.Value.WarningThreshold;

    /// <summary>Every endpoint's pool, by name: one query for the address count, one for the endpoints.</summary>
    public async Task<IReadOnlyList<EndpointPool>> ReadAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.ExternalAddresses.CountAsync(ct);
        var rows = await db.Endpoints.AsNoTracking().OrderBy(e => e.Name)
            .Select(e => new { e.Id, e.Name, Used = e.Assignments.Count })
            .ToListAsync(ct);
        return rows.Select(e => new EndpointPool(e.Id, e.Name, total, e.Used, WarningThreshold)).ToArray();
    }

    public async Task<EndpointPool?> ForEndpointAsync(int endpointId, CancellationToken ct = default) =>
        (await ReadAsync(ct)).SingleOrDefault(p => p.EndpointId == endpointId);

    /// <summary>The endpoints at or below the threshold, fullest first.</summary>
    public async Task<IReadOnlyList<EndpointPool>> LowAsync(CancellationToken ct = default) =>
        (await ReadAsync(ct)).Where(p => p.Low).OrderBy(p => p.Free).ThenBy(p => p.Endpoint, StringComparer.Ordinal).ToArray();
}
