using MudBlazor;

namespace RouterAdmin.Components.Layout;

internal static class AppTheme
{
    // System fonts only: a router's admin page is often opened where there is no Internet to fetch web fonts from.
    public static MudTheme Theme { get; } = new()
    {
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        PaletteLight = new PaletteLight { Primary = "#1565c0", AppbarBackground = "#0d47a1" },
        PaletteDark = new PaletteDark { Primary = "#64b5f6" },
    };
}
