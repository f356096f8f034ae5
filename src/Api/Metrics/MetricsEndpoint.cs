using Prometheus;
using RouterAdmin.Hosting;

namespace RouterAdmin.Api.Metrics;

/// <summary>/metrics in the Prometheus text format, for a viewer (or administrator) or the configured scrape token.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddRouterMetrics(this IServiceCollection services)
    {
        services.AddValidatedOptions<MetricsOptions>(MetricsOptions.Section, MetricsOptions.Problems);
        services.AddSingleton<RouterMetrics>();
        services.AddAuthorization(MetricsAccess.AddPolicy);
        return services;
    }

    public static void MapRouterMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMetrics(Path, endpoints.ServiceProvider.GetRequiredService<RouterMetrics>().Registry)
            .RequireAuthorization(MetricsAccess.Policy);
}
