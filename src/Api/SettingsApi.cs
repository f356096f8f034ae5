using RouterAdmin.Inventory;

namespace RouterAdmin.Api;

/// <summary>/api/v1/settings: the WAN interface, the LAN subnet and whether RouterAdmin manages the masquerade.</summary>
internal static class SettingsApi
{
    public static void MapSettingsApi(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");

        // The same fields as the Settings page's form, so what a GET returns a PUT takes back.
        settings.MapGet("", async (HttpContext http, SettingsService service, CancellationToken ct) =>
            ApiResults.Found(http, SettingsDraft.From(await service.GetAsync(ct))));

        settings.MapPut("", (SettingsDraft draft, HttpContext http, SettingsService service, CancellationToken ct) =>
            ApiResults.IfMatch(http, async () => SettingsDraft.From(await service.GetAsync(ct)), async actor =>
            {
                await service.UpdateAsync(draft, actor, ct);
                return ApiResults.Found(http, SettingsDraft.From(await service.GetAsync(ct)));
            }))
            .RequireAuthorization(ApiResults.Admins);
    }
}
